// roster.test.mjs: the browser test of a branch secretary's roster work, in a real Chromium
// (Debian's /usr/bin/chromium driven by playwright-core): log in through the form, see the own
// branch with masked 身份证号, download the import template, upload a CSV with one bad check
// digit (row-level report, nothing imported), fix it and import, export Excel and CSV; and a
// secretary of another subtree gets the 404 page for that branch. axe-core runs on the login
// page, the branch page and the import report; serious and critical violations fail the test.
// Screenshots (1280 and 390 px wide) go to $CXZY_SHOTS, else to shots/ in this run's scratch
// directory; their paths are printed. At 390 px nothing may stick out sideways except inside a
// scrolling table wrapper.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer, loginAs, idcard, PASSWORD } from '../lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SRC = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const scratch = mkdtempSync(join(process.env.CXZY_TEST_DIR || tmpdir(), 'e2e-'));
const SHOTS = process.env.CXZY_SHOTS || join(scratch, 'shots');
mkdirSync(SHOTS, { recursive: true });
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

// Any 18-character 身份证号 in clear (17 digits and a check character) standing on its own.
const FULL_ID = /(?<![0-9Xx*])\d{17}[\dXx](?![0-9Xx])/;
const MASKED_ID = /^\d{6}\*{8}\d{3}[\dX]$/;

const srv = await startServer();
let ctx;

before(async () => {
  ctx = await chromium.launchPersistentContext(join(scratch, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: DESKTOP,
    acceptDownloads: true,
    locale: 'zh-CN',
  });
  ctx.setDefaultTimeout(10_000);
});

after(async () => {
  await ctx?.close();
  rmSync(join(scratch, 'profile'), { recursive: true, force: true });
  await srv.stop();
});

/** Runs axe-core on the page; fails on serious or critical violations, listing them readably.
 * The app's Content-Security-Policy (script-src 'self') rightly blocks page.addScriptTag's inline
 * script, and the test keeps the policy on (bypassCSP would hide the app's own violations), so
 * the same axe.min.js is evaluated through the DevTools protocol instead. */
async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SRC);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const text = bad.map((v) => `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
    v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n')).join('\n');
  const minor = res.violations.filter((v) => !bad.includes(v)).map((v) => `${v.impact} ${v.id}`);
  if (minor.length) console.log(`axe (${what}), not failing: ${minor.join(', ')}`);
  assert.equal(bad.length, 0, `axe-core on ${what}: ${bad.length} serious/critical violation(s)\n${text}`);
}

/** Full-page screenshots at desktop and phone width; restores the desktop viewport. */
async function shots(page, name) {
  const paths = [];
  for (const [tag, vp] of [['1280', DESKTOP], ['390', PHONE]]) {
    await page.setViewportSize(vp);
    const p = join(SHOTS, `${name}-${tag}.png`);
    await page.screenshot({ path: p, fullPage: true });
    paths.push(p);
  }
  await page.setViewportSize(DESKTOP);
  return paths;
}

/** At phone width: the page's scroll width, and the element reaching furthest beyond the
 * viewport (contents of a scrolling .table-wrap excepted), or null. */
async function phoneOverflow(page) {
  await page.setViewportSize(PHONE);
  const r = await page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    let worst = null;
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.table-wrap') && !el.classList.contains('table-wrap')) continue;
      const b = el.getBoundingClientRect();
      if (b.width && b.right > vw + 1 && (!worst || b.right > worst.right))
        worst = { right: Math.round(b.right), tag: el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''), text: (el.textContent || '').trim().slice(0, 40) };
    }
    return { vw, scroll: document.documentElement.scrollWidth, worst };
  });
  await page.setViewportSize(DESKTOP);
  return r;
}

/** The member table of the branch page: rows as {name, idcard}. */
async function memberRows(page) {
  return page.$$eval('table.list tbody tr', (trs) => trs.map((tr) => {
    const td = tr.querySelectorAll('td');
    return { name: td[0].textContent.trim(), idcard: td[2].textContent.trim() };
  }));
}

async function memberCount(page) {
  return Number(await page.locator('p.meta strong').textContent());
}

/** Clicks a link that answers with an attachment; returns {download, path, bytes}. */
async function download(page, link) {
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(await dl.failure(), null, 'download failed');
  const path = join(scratch, 'dl-' + dl.suggestedFilename());
  await dl.saveAs(path);
  return { download: dl, path, bytes: readFileSync(path) };
}

function csv(rows) {
  const head = '姓名,性别,身份证号,联系电话,入党时间,学历,工作岗位';
  return '\ufeff' + [head, ...rows.map((r) => [r.name, r.sex, r.id, r.phone, r.joined, r.edu, r.post].join(','))].join('\r\n') + '\r\n';
}

// Three new members; their 17th digits make 男/女 agree with the 性别 column.
const people = [
  { name: '欧阳晓东', sex: '男', id: idcard('41022319850312041'), phone: '13803710001', joined: '2010-07-01', edu: '大学本科', post: '村委会委员' },
  { name: '司马晓梅', sex: '女', id: idcard('41022319900521062'), phone: '13803710002', joined: '2015-06-30', edu: '大专', post: '妇女主任' },
  { name: '诸葛晓军', sex: '男', id: idcard('41022319781109083'), phone: '13803710003', joined: '2001-07-01', edu: '高中', post: '村民组长' },
];

test('secretary logs in, imports a roster (first with a wrong check digit) and exports it', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // Console errors other than the HTTP status of a page load (the 422 report is expected).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded/.test(m.text())) problems.push('console: ' + m.text());
  });
  // Sub-resources (CSS, icons) must all load.
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${r.status()} ${r.url()}`);
  });

  // Not logged in: the home page sends the user to the login form.
  await page.goto(srv.base + '/');
  await page.waitForURL(/\/login/);
  await axe(page, 'the login page');
  await page.getByLabel('用户名').fill('secretary');
  await page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/desk$/), page.getByRole('button', { name: '登录' }).click()]);
  // from the desk (工作台) to the own branch by its heading
  await Promise.all([page.waitForURL(/\/orgs\/\d+$/), page.locator('.desk-section h2 a').first().click()]);

  // The own branch: its name, the member table, masked 身份证号 only.
  const branchUrl = page.url();
  await page.locator('h1', { hasText: '兴河镇曾营村党支部' }).waitFor();
  await page.locator('.top .who', { hasText: 'secretary' }).waitFor();
  const before = await memberRows(page);
  assert.ok(before.length > 0, 'the branch shows its members');
  for (const r of before) assert.match(r.idcard, MASKED_ID, `身份证号 of ${r.name} is masked`);
  const body = await page.locator('body').innerText();
  assert.doesNotMatch(body, FULL_ID, 'no full 身份证号 anywhere on the branch page');
  assert.doesNotMatch(await page.content(), FULL_ID, 'no full 身份证号 in the HTML either');
  const count0 = await memberCount(page);
  assert.equal(count0, before.length);
  for (const p of people) assert.ok(!before.some((r) => r.name === p.name), `${p.name} not there yet`);
  await axe(page, 'the branch page');
  const branchShots = await shots(page, 'branch');
  const branchOverflow = await phoneOverflow(page);

  // 导入名册: the page and its template download.
  await Promise.all([page.waitForURL(/\/import$/), page.getByRole('link', { name: '导入名册' }).click()]);
  await page.locator('h1', { hasText: '导入党员名册' }).waitFor();
  const tplLink = page.getByRole('link', { name: '下载 Excel 模板' });
  const tplHref = new URL(await tplLink.getAttribute('href'), page.url()).href;
  const tplResp = page.waitForResponse((r) => r.url() === tplHref);
  const tpl = await download(page, tplLink);
  const tr = await tplResp;
  assert.equal(tr.status(), 200);
  assert.equal(tr.headers()['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(tpl.download.suggestedFilename(), /\.xlsx$/);
  assert.equal(tpl.bytes.subarray(0, 2).toString('latin1'), 'PK', 'the template is a zip (xlsx)');

  // Upload with a wrong check digit in the second data row (file row 3).
  const bad = people.map((p) => ({ ...p }));
  const last = bad[1].id.at(-1);
  bad[1].id = bad[1].id.slice(0, 17) + (last === '1' ? '2' : '1');
  const file = join(scratch, '名册.csv');
  writeFileSync(file, csv(bad));
  await page.setInputFiles('#file', file);
  const [r1] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/import') && r.request().method() === 'POST'),
    page.getByRole('button', { name: '上传' }).click(),
  ]);
  assert.equal(r1.status(), 422);
  await page.locator('#report').waitFor();
  const summary = await page.locator('#report .alert').innerText();
  assert.match(summary, /1 处错误/);
  assert.match(summary, /未导入任何数据/);
  const errors = await page.$$eval('#report table.errors tbody tr', (trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  assert.equal(errors.length, 1, 'one error row: ' + JSON.stringify(errors));
  const [row, col, reason] = errors[0];
  assert.equal(row, '第 3 行');
  assert.equal(col, '身份证号');
  assert.match(reason, /校验码/);
  assert.match(reason, new RegExp(`应为 ${people[1].id.at(-1)}`), 'the reason names the right check character');
  assert.doesNotMatch(await page.locator('body').innerText(), FULL_ID, 'the report does not echo full 身份证号');
  await axe(page, 'the import report');
  const reportShots = await shots(page, 'import-report');
  const reportOverflow = await phoneOverflow(page);

  // Nothing was imported.
  await page.goto(branchUrl);
  assert.equal(await memberCount(page), count0, 'member count unchanged after the failed import');
  assert.equal((await memberRows(page)).length, before.length);

  // Fix the row and upload again.
  await Promise.all([page.waitForURL(/\/import$/), page.getByRole('link', { name: '导入名册' }).click()]);
  writeFileSync(file, csv(people));
  await page.setInputFiles('#file', file);
  const [r2] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/import') && r.request().method() === 'POST'),
    page.getByRole('button', { name: '上传' }).click(),
  ]);
  assert.equal(r2.status(), 303, 'a successful import redirects: a refresh posts nothing again');
  const ok = page.locator('#report .ok');
  await ok.waitFor();
  assert.match(await ok.innerText(), /已导入 3 名党员/);
  assert.match(page.url(), /\/import\?imported=3$/);
  await shots(page, 'import-ok');

  // Back to the list: the three are there, masked.
  await Promise.all([page.waitForURL(branchUrl), ok.getByRole('link', { name: '返回党员名单' }).click()]);
  assert.equal(await memberCount(page), count0 + 3);
  const afterRows = await memberRows(page);
  for (const p of people) {
    const r = afterRows.find((x) => x.name === p.name);
    assert.ok(r, `${p.name} in the member list`);
    assert.equal(r.idcard, p.id.slice(0, 6) + '********' + p.id.slice(14));
  }
  assert.doesNotMatch(await page.locator('body').innerText(), FULL_ID);

  // 导出 Excel: a real xlsx.
  const xl = await download(page, page.getByRole('link', { name: '导出 Excel' }));
  assert.equal(xl.bytes.subarray(0, 2).toString('latin1'), 'PK', 'the Excel export is a zip (xlsx)');
  assert.match(xl.download.suggestedFilename(), /兴河镇曾营村党支部.*\.xlsx$/);

  // 导出 CSV: the three names with masked 身份证号, never the full ones.
  const cv = await download(page, page.getByRole('link', { name: '导出 CSV' }));
  assert.match(cv.download.suggestedFilename(), /\.csv$/);
  const text = cv.bytes.toString('utf8');
  for (const p of people) {
    const line = text.split(/\r?\n/).find((l) => l.startsWith(p.name + ','));
    assert.ok(line, `${p.name} in the CSV export`);
    assert.ok(line.includes(p.id.slice(0, 6) + '********' + p.id.slice(14)), `masked 身份证号 of ${p.name} in the CSV`);
    assert.ok(!text.includes(p.id), `full 身份证号 of ${p.name} not in the CSV`);
  }
  assert.doesNotMatch(text, FULL_ID, 'no full 身份证号 in the CSV export');

  console.log(`screenshots: ${[...branchShots, ...reportShots].join(' ')}`);
  console.log(`phone width: branch page scrollWidth ${branchOverflow.scroll}/${branchOverflow.vw}` +
    (branchOverflow.worst ? ` widest ${JSON.stringify(branchOverflow.worst)}` : '') +
    `; import report ${reportOverflow.scroll}/${reportOverflow.vw}` +
    (reportOverflow.worst ? ` widest ${JSON.stringify(reportOverflow.worst)}` : ''));
  assert.ok(branchOverflow.scroll <= branchOverflow.vw, 'the branch page does not scroll sideways on a phone: ' + JSON.stringify(branchOverflow));
  assert.ok(reportOverflow.scroll <= reportOverflow.vw, 'the import report does not scroll sideways on a phone: ' + JSON.stringify(reportOverflow));
  assert.deepEqual(problems, [], 'no script errors or console errors');
  await page.close();
});

test('a secretary of another subtree gets the 404 page for the first branch, without its members', async () => {
  // The first branch and its member names, as its own secretary sees them through the API.
  const own = await loginAs(srv.base, 'secretary');
  const branch = own.user.roles.find((g) => g.role === 'secretary').org_id;
  const list = await own.get(`/api/v1/orgs/${branch}/members?per_page=500`);
  assert.equal(list.status, 200);
  const names = (list.json.members || list.json.items).map((m) => m.name);
  assert.ok(names.length > 0);

  await ctx.clearCookies();
  const page = await ctx.newPage();
  await page.goto(srv.base + '/login');
  await page.getByLabel('用户名').fill('secretary2');
  await page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/desk$/), page.getByRole('button', { name: '登录' }).click()]);
  // from the desk (工作台) to the own branch by its heading
  await Promise.all([page.waitForURL(/\/orgs\/\d+$/), page.locator('.desk-section h2 a').first().click()]);
  assert.notEqual(page.url(), `${srv.base}/orgs/${branch}`, 'secretary2 lands on another branch');

  for (const path of [`/orgs/${branch}`, `/orgs/${branch}/import`, `/orgs/${branch}/tree`]) {
    const res = await page.goto(srv.base + path);
    assert.equal(res.status(), 404, path);
    await page.locator('h1', { hasText: '页面不存在' }).waitFor();
    await page.locator('[role=alert][data-code=not_found]').waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /不存在或不在您的管理范围内/);
    assert.ok(!text.includes('兴河镇曾营村党支部'), `${path}: the branch name is not shown`);
    for (const n of names) assert.ok(!text.includes(n), `${path}: member ${n} not shown`);
    assert.doesNotMatch(text, /\d{6}\*{8}\d{3}[\dX]/, `${path}: no 身份证号 shown`);
  }
  // The export is refused too (fetched with the page's cookies).
  const ex = await page.request.get(`${srv.base}/orgs/${branch}/export?format=csv`);
  assert.equal(ex.status(), 404);
  const exText = await ex.text();
  for (const n of names) assert.ok(!exText.includes(n), `export: member ${n} not leaked`);
  await page.close();
});

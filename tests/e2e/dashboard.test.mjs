// dashboard.test.mjs: the roll-up dashboard (统计看板) in a real Chromium, on this file's own demo
// database. Through the API: the town's office opens a review round for the town and residents
// rate members of two of its branches, each with a phone verified by its SMS code, so that the
// ballots count (one rating repeated, so one ballot is invalid). Then the
// `town` login follows 统计看板 from the header: the charts are drawn (a canvas in each chart
// container) by /static/dashboard.js with ECharts served by cxzy itself (every request of the page
// goes to the server under test, none to a CDN; the Content-Security-Policy refuses nothing), the
// table holds the same figures, a child's link opens its own dashboard, and axe-core finds no
// serious or critical violation. Without its scripts the table is all there is, and it fits a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, PASSWORD, daysFromToday, launchChromium, axeCheck, smsCode } from '../lib.mjs';

const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

/** A browser context logged in as the town's office. */
async function townContext(opts) {
  const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/login');
  await page.fill('#username', 'town');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { ctx, page };
}

/** The total row of the round's table (the campaign panel has tables of its own). */
const ROUND_FOOT = 'section[aria-labelledby="dash-table"] table.dash tfoot tr';

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

/** A round for the town and some ballots on members of two of its branches; returns what the
 * dashboard must show. */
async function seed() {
  const [office, town, secretary] = await Promise.all(['office', 'town', 'secretary'].map((u) => loginAs(srv.base, u)));
  const townId = town.user.roles[0].org_id, branchA = secretary.user.roles[0].org_id;
  const round = (await ok(await office.post(`/api/v1/orgs/${townId}/rounds`,
    { name: '浏览器测试轮次', start_date: daysFromToday(0), end_date: daysFromToday(30) }), 201)).round;
  const kids = (await ok(await office.get(`/api/v1/orgs/${townId}/children`))).children;
  const other = kids.find((k) => k.id !== branchA && k.members > 0);
  assert.ok(other, 'the town has a second branch with members');
  const anon = new Client(srv.base);
  let valid = 0, invalid = 0, n = 0;
  const device = async () => (await ok(await anon.get(`/api/v1/public/rating?target_kind=org&target_id=${branchA}`))).device;
  for (const [org, answers] of [[branchA, ['111', '112', '121', '211']], [other.id, ['122', '111']]]) {
    const ms = (await ok(await office.get(`/api/v1/orgs/${org}/members?per_page=${answers.length}`))).members;
    let first;
    for (let i = 0; i < answers.length; i++) {
      const phone = `1360000${String(++n).padStart(4, '0')}`;
      await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
      const body = { target_kind: 'member', target_id: ms[i].id, answers: answers[i], channel: 'web', device: await device(), phone, code: await smsCode(srv, phone) };
      first = first || body.device;
      assert.equal((await ok(await anon.post('/api/v1/public/ballots', body), 201)).ballot.counted, true);
      valid++;
    }
    // the same device again on the same member: refused and counted as invalid
    const again = await anon.post('/api/v1/public/ballots', { target_kind: 'member', target_id: ms[0].id, answers: '111', channel: 'web', device: first });
    assert.equal(again.status, 409, again.text);
    invalid++;
  }
  return { round, townId, branchA, other, valid, invalid };
}

test('the town office sees its dashboard: charts from the binary\'s ECharts, the table, a child\'s dashboard, axe', async () => {
  const s = await seed();
  const { ctx, page } = await townContext({ viewport: { width: 1280, height: 900 } });
  const requests = [], problems = [];
  page.on('request', (q) => requests.push(q.url()));
  page.on('console', (m) => { if (m.type() === 'error' || /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));

  await Promise.all([page.waitForURL(/\/dashboard$/), page.getByRole('link', { name: '统计看板' }).first().click()]);
  assert.equal(new URL(page.url()).pathname, `/orgs/${s.townId}/dashboard`);
  assert.match(await page.locator('h1').textContent(), /统计看板/);
  assert.equal(await page.locator('#round_id option[selected]').textContent().then((t) => t.includes('浏览器测试轮次')), true);

  // the charts: drawn by dashboard.js, a canvas in every container
  await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.querySelector('canvas, svg')));
  const charts = await page.locator('.chart').evaluateAll((els) => els.map((e) => [e.id, e.querySelectorAll('canvas, svg').length, e.getBoundingClientRect().height]));
  assert.deepEqual(charts.map((c) => c[0]).sort(), ['chart-campaign', 'chart-children', 'chart-coverage', 'chart-grades', 'chart-quarters', 'chart-rounds']);
  for (const [id, n, h] of charts) assert.ok(n > 0 && h > 100, `${id}: ${n} canvas/svg, ${h}px high`);
  assert.equal(await page.locator('#charts').isVisible(), true);

  // ECharts came from this server, with a version in its URL and a year of caching
  const ech = requests.find((u) => /echarts\.min\.js/.test(u));
  assert.ok(ech, `the page loads echarts.min.js: ${requests.join(' ')}`);
  for (const u of requests) assert.ok(u.startsWith(srv.base + '/') || u.startsWith('data:'), `a request left the server under test: ${u}`);
  const js = await ctx.request.get(ech);
  assert.equal(js.status(), 200);
  assert.match(js.headers()['content-type'], /javascript/);
  assert.match(js.headers()['cache-control'], /max-age=31536000/);
  assert.ok(js.headers().etag, 'echarts.min.js has an ETag');
  assert.ok((await js.body()).length > 500_000, 'the whole ECharts bundle');
  assert.match(js.headers()['content-security-policy'] || '', /script-src 'self'/);

  // the table: the total and the branches' rows, the same figures as the API
  const api = (await ok(await (await loginAs(srv.base, 'town')).get(`/api/v1/orgs/${s.townId}/dashboard`))).total;
  assert.equal(api.ballots_valid, s.valid);
  assert.equal(api.ballots_invalid, s.invalid);
  const foot = await page.locator(ROUND_FOOT).textContent();
  assert.ok(foot.includes(api.satisfaction_text), `the total row shows the satisfaction rate ${api.satisfaction_text}: ${foot}`);
  const rowA = page.locator('table.dash tbody tr', { has: page.locator(`a[href="/orgs/${s.branchA}/dashboard?round_id=${s.round.id}"]`) });
  assert.equal(await rowA.count(), 1, 'the first branch has a row linking to its dashboard');
  assert.equal(problems.length, 0, `console errors or CSP refusals: ${problems.join('\n')}`);
  await axeCheck(page, 'the town dashboard');

  // down to the branch: its own dashboard for the same round
  await Promise.all([page.waitForURL(new RegExp(`/orgs/${s.branchA}/dashboard\\?round_id=${s.round.id}$`)), rowA.locator('a').first().click()]);
  assert.match(await page.locator('h1').textContent(), /统计看板/);
  await page.waitForFunction(() => document.querySelector('#chart-grades canvas, #chart-grades svg'));
  const apiA = (await ok(await (await loginAs(srv.base, 'town')).get(`/api/v1/orgs/${s.branchA}/dashboard?round_id=${s.round.id}`))).total;
  assert.equal(apiA.ballots_valid, 4);
  assert.ok((await page.locator(ROUND_FOOT).textContent()).includes(apiA.satisfaction_text));
  await axeCheck(page, 'the branch dashboard');
  assert.equal(problems.length, 0, `console errors or CSP refusals: ${problems.join('\n')}`);
  await ctx.close();

  // without JavaScript, on a phone: no empty chart boxes, the table is there and scrolls inside
  // itself. (The scripts are refused rather than JavaScript switched off, so that axe can run.)
  const { ctx: nojs, page: p2 } = await townContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  await nojs.route(/\.js(\?|$)/, (route) => route.abort());
  await p2.goto(`${srv.base}/orgs/${s.townId}/dashboard`);
  assert.equal(await p2.locator('#charts').isVisible(), false, 'without its scripts the chart section stays hidden');
  assert.ok(await p2.locator('table.dash tbody tr').count() >= 2);
  assert.ok((await p2.locator(ROUND_FOOT).textContent()).includes(api.satisfaction_text));
  const w = await p2.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 391, `the dashboard is ${w}px wide at a 390px viewport`);
  await axeCheck(p2, 'the dashboard without its scripts, on a phone');
  await nojs.close();
});

test('the whole campaign on a phone: a pledge approved and completed shows, the period selector, rankings, print', async () => {
  const [member, secretary, town] = await Promise.all(['member', 'secretary', 'town'].map((u) => loginAs(srv.base, u)));
  const townId = town.user.roles[0].org_id, branchA = secretary.user.roles[0].org_id;
  const due = daysFromToday(10);
  const y = due.slice(0, 4), q = Math.floor((Number(due.slice(5, 7)) + 2) / 3);
  const p = (await ok(await member.post('/api/v1/pledges', { area: '服务群众', title: '浏览器测试：代购生活用品', content: '每周代购一次。',
    measures: '每周六上门。', responsible: '本人', due_date: due }), 201)).pledge;
  await ok(await member.post(`/api/v1/pledges/${p.id}/submit`));
  await ok(await secretary.post(`/api/v1/pledges/${p.id}/approve`));
  await ok(await member.post(`/api/v1/pledges/${p.id}/complete`, { summary: '已代购 10 次' }));
  const api = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${y}Q${q}`))).campaign;
  assert.ok(api.total.pledges_fulfilled >= 1);

  const { ctx, page } = await townContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${srv.base}/orgs/${townId}/dashboard`);
  const panel = page.locator('#campaign');
  assert.match(await panel.locator('h2').first().textContent(), new RegExp(`全面工作 · ${y}年`));
  // the selector: choose the quarter of the pledge's due date
  await page.selectOption('#period', `${y}Q${q}`);
  await Promise.all([page.waitForURL(new RegExp(`period=${y}Q${q}`)), panel.getByRole('button', { name: '查看' }).click()]);
  assert.match(await panel.locator('h2').first().textContent(), /季度/);
  const kpi = await panel.locator('dl.kpis > div', { hasText: '承诺兑现率' }).textContent();
  assert.ok(kpi.includes(api.total.pledges_fulfilled_text) && kpi.includes(`已兑现 ${api.total.pledges_fulfilled} / 到期 ${api.total.pledges_due} 项`), kpi);
  // branch A's row carries its figures and its rank; the ranking lists it
  const row = panel.locator('tbody tr', { has: page.locator(`a[href="/orgs/${branchA}/dashboard?period=${y}Q${q}"]`) });
  const a = api.children.find((c) => c.id === branchA);
  assert.ok((await row.textContent()).includes(`${a.pledges_fulfilled}/${a.pledges_due}，第${a.pledges_fulfilled_rank}名`));
  const ranking = panel.locator('.rankings section', { hasText: '承诺兑现率' });
  assert.ok((await ranking.locator('li').count()) >= 1);
  // the campaign's charts are drawn; the page fits the phone
  await page.waitForFunction(() => ['chart-quarters', 'chart-rounds', 'chart-campaign'].every((id) => document.querySelector(`#${id} canvas, #${id} svg`)));
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 391, `the dashboard is ${w}px wide at a 390px viewport`);
  await axeCheck(page, 'the campaign panel on a phone');
  // print: the tables are printed, the charts, forms and links to actions are not
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#campaign-charts').isVisible(), false, 'charts are not printed');
  assert.equal(await panel.locator('form').isVisible(), false, 'the selector is not printed');
  assert.equal(await panel.locator('table.dash').first().isVisible(), true, 'the campaign table is printed');
  assert.equal(await page.locator('.print-page').isVisible(), false);
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await page.locator('.print-page').isVisible(), true, 'the print link shows with JavaScript');
  const pdf = await page.pdf({ format: 'A4' }).catch(() => null); // headless Chromium prints; a PDF is the proof
  if (pdf) assert.ok(pdf.length > 1000);
  assert.equal(problems.length, 0, `console errors or CSP refusals: ${problems.join('\n')}`);
  await ctx.close();
});

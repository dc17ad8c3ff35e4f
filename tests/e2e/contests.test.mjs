// contests.test.mjs: a 三比 contest in a real Chromium, on this file's own demo database. The first
// town's office sets up a contest of three members of the first branch (two items, three judges);
// two judges submit over the API; the third scores on a phone-sized page (390×844): saves a draft,
// comes back to it, and submits, after which the sheet is locked. The office closes the scoring
// and publishes on the pages; the public page and its A4 print view show the ranking and the method
// in words. axe-core finds no serious or critical violation, and nothing sticks out sideways.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, launchChromium, axeCheck, sqlOn, PASSWORD, BACKEND } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [town, secretary] = await Promise.all(['town', 'secretary'].map((u) => loginAs(srv.base, u)));
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const ok = async (r, status = 200) => { assert.equal(r.status, status, r.text.slice(0, 300)); return r.json; };

const judges = [];
for (let i = 1; i <= 3; i++) {
  const name = `e2ejudge${i}${BACKEND}`;
  const r = srv.cli(['user', 'add', name, '--name', `浏览器评委${i}`, '--password-file', '-', '--role', 'leader', '--org', String(townId)], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  judges.push(await loginAs(srv.base, name));
}
const members = sqlOn(srv.db, `SELECT id FROM member WHERE org_id = ${branchA} AND active = 1 ORDER BY id LIMIT 3`).split('\n').map(Number);
const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'conduct', title: '浏览器测试：作风评比', year: '2026', entrant_kind: 'member' }), 201)).contest;
await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: '工作作风', weight: '70' }), 201);
await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: '群众评价', weight: '30', max_score: '10' }), 201);
await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: members.join(',') }), 201);
for (const j of judges) await ok(await town.post(`/api/v1/contests/${c.id}/judges`, { user_id: j.user.id }), 201);
await ok(await town.post(`/api/v1/contests/${c.id}/open`));
const sheet = await ok(await judges[0].get(`/api/v1/contests/${c.id}/score`));
for (const [j, base] of [[judges[0], 90], [judges[1], 80]])
  await ok(await j.post(`/api/v1/contests/${c.id}/scores`, { submit: true, scores: sheet.entrants.flatMap((e, k) => [
    { entrant_id: e.id, item_id: sheet.items[0].id, score: base - 5 * k }, { entrant_id: e.id, item_id: sheet.items[1].id, score: 9 - k }]) }));

test('a judge scores on a phone: a draft saved, then submitted once and locked', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, judges[2].user.username);
  // the desk lists the contest to score, linked to its sheet
  await page.goto(`${srv.base}/desk`);
  assert.ok(await page.locator(`a[href="/contests/${c.id}/score"]`).count() >= 1, 'the desk links to the sheet');
  await page.goto(`${srv.base}/me/contests`);
  await Promise.all([page.waitForURL(/\/score$/), page.getByRole('link', { name: '去评分' }).click()]);
  await axeCheck(page, 'the scoring sheet');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the sheet is ${wide}px wider than the phone`);
  const first = sheet.entrants[0].id, it = sheet.items;
  await page.fill(`#s_${first}_${it[0].id}`, '86.5');
  await page.fill(`#s_${first}_${it[1].id}`, '8');
  await Promise.all([page.waitForURL(/saved=1/), page.getByRole('button', { name: '保存草稿' }).click()]);
  assert.equal(await page.inputValue(`#s_${first}_${it[0].id}`), '86.5', 'the draft is kept');
  assert.equal((await page.locator('#filled').innerText()).trim(), '2');
  // a cell blanked and saved is no longer scored (the draft value is removed, not kept as 0)
  await page.fill(`#s_${first}_${it[1].id}`, '');
  await Promise.all([page.waitForURL(/saved=1/), page.getByRole('button', { name: '保存草稿' }).click()]);
  assert.equal(await page.inputValue(`#s_${first}_${it[1].id}`), '');
  assert.equal((await page.locator('#filled').innerText()).trim(), '1');
  // submitting with cells left blank is refused with a reason
  await page.getByRole('button', { name: /提交评分/ }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('[role=alert]').innerText(), /未评分/);
  await page.goto(`${srv.base}/contests/${c.id}/score`);
  for (const [k, e] of sheet.entrants.entries()) {
    await page.fill(`#s_${e.id}_${it[0].id}`, String(85 - 5 * k));
    await page.fill(`#s_${e.id}_${it[1].id}`, String(8 - k));
  }
  await Promise.all([page.waitForURL(new RegExp(`/contests/${c.id}/score$`)), page.getByRole('button', { name: /提交评分/ }).click()]);
  await page.locator('#submitted').waitFor();
  assert.equal(await page.locator('#final').count(), 0, 'no submit button after submitting');
  assert.ok(await page.locator(`#s_${first}_${it[0].id}`).isDisabled());
  await ctx.close();
});

test('the office closes and publishes; the public page and its print view show the ranking and the method', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/contests/${c.id}`);
  assert.match(await page.locator('#progress').innerText(), /3\/3 评委已提交/);
  await axeCheck(page, 'the contest page of the office');
  await Promise.all([page.waitForURL(new RegExp(`/contests/${c.id}$`)), page.getByRole('button', { name: '结束评分' }).click()]);
  await Promise.all([page.waitForURL(/\/result$/), page.getByRole('link', { name: '竞赛结果' }).click()]);
  assert.match(await page.locator('#method').innerText(), /平均分/);
  await Promise.all([page.waitForURL(/\/result$/), page.getByRole('button', { name: '公布排名' }).click()]);
  await page.goto(`${srv.base}/p/contests/${c.id}`);
  await axeCheck(page, 'the public ranking');
  const rows = await page.locator('#ranking tbody tr').allInnerTexts();
  assert.equal(rows.length, 3);
  assert.match(rows[0], /^1/);
  assert.match(await page.locator('#method').innerText(), /去掉 1 个最高分和 1 个最低分后取其余 1 位评委/);
  await page.goto(`${srv.base}/p/contests/${c.id}/print`);
  assert.match(await page.locator('#method').innerText(), /加权总分/);
  assert.equal(await page.locator('#ranking tbody tr').count(), 3);
  await ctx.close();
});

test('the office imports entrants from a list on the contest page: a shared or unknown name is shown by row, then a good list is taken', async () => {
  const d = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'skill', title: '浏览器测试：名单导入', year: '2026', entrant_kind: 'member' }), 201)).contest;
  const townPath = sqlOn(srv.db, `SELECT path FROM org WHERE id = ${townId}`);
  const names = sqlOn(srv.db, `SELECT m.name FROM member m WHERE m.org_id = ${branchA} AND m.active = 1 AND (SELECT count(*) FROM member x JOIN org o ON o.id = x.org_id ` +
    `WHERE x.name = m.name AND x.active = 1 AND o.path LIKE '${townPath}%') = 1 ORDER BY m.id LIMIT 3`).split('\n');
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/contests/${d.id}`);
  await page.setInputFiles('#entrants-file', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(`姓名\n${names[0]}\n查无此人\n`) });
  await page.getByRole('button', { name: '导入名单' }).click();
  await page.waitForLoadState();
  assert.match(await page.locator('[role=alert]').first().innerText(), /第 3 行：“查无此人”/);
  assert.equal(await page.locator('#entrants li').count(), 0, 'nothing added');
  await page.goto(`${srv.base}/contests/${d.id}`);
  await page.setInputFiles('#entrants-file', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(`姓名\n${names.join('\n')}\n`) });
  await Promise.all([page.waitForURL(new RegExp(`/contests/${d.id}$`)), page.getByRole('button', { name: '导入名单' }).click()]);
  assert.equal(await page.locator('#entrants li').count(), names.length);
  await axeCheck(page, 'the contest page with the list form');
  await ctx.close();
});

// ledger.test.mjs: the ledger (台账) in a real Chromium, on this file's own demo database. A branch
// secretary enters a forum (座谈会) with its participants by category on the ledger page, sees the
// entry with its participants, and the period's totals of the forum kind and of each category grow by
// what was entered; changing a participant count on the entry's page and deleting it move the totals
// back; the town's office sees its subtree's totals as the API gives them and exports the summary.
// On a phone-sized page nothing sticks out sideways; axe-core finds no serious or critical violation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [secretary, town] = await Promise.all(['secretary', 'town'].map((u) => loginAs(srv.base, u)));
const branch = secretary.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const year = daysFromToday(0).slice(0, 4);

/** The totals row of a kind on the ledger page: [entries, people]. */
async function kindRow(page, kind) {
  const row = page.locator(`#totals tr[data-kind="${kind}"]`);
  return [Number(await row.locator('[data-col="entries"]').innerText()), Number(await row.locator('[data-col="people"]').innerText())];
}
const catText = (page, id) => page.locator(`#totals tr[data-kind="forum"] [data-category="${id}"]`).innerText();

test('a secretary enters a forum with participants by category and sees the totals grow', async () => {
  const kinds = (await secretary.get(`/api/v1/orgs/${branch}/ledger-categories`)).json.kinds;
  const forum = kinds.find((k) => k.kind === 'forum').categories;
  const student = forum.find((c) => c.name === '大学生村干部'), cadre = forum.find((c) => c.name === '村干部');
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'secretary');
  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  const [n0, p0] = await kindRow(page, 'forum');
  const studentBefore = await catText(page, student.id);
  await axeCheck(page, 'the ledger page');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 1, `the page is ${wide}px wider than a phone`);

  await page.selectOption('#kind', 'forum');
  await page.fill('#title', '浏览器测试：大学生村干部座谈会');
  await page.fill(`#part_${student.id}`, '12');
  await page.fill(`#part_${cadre.id}`, '5');
  await page.fill('#body', '听取大学生村干部对工作、创业的意见建议。');
  await Promise.all([page.waitForURL(/\/ledger\/\d+$/), page.getByRole('button', { name: '保存', exact: true }).click()]);
  assert.equal((await page.locator('#people').innerText()).trim(), '17');
  const parts = await page.locator('#participants li').allInnerTexts();
  assert.deepEqual(parts.map((t) => t.trim()).sort(), ['大学生村干部 12 人', '村干部 5 人'].sort());
  await axeCheck(page, 'a ledger entry');

  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  assert.deepEqual(await kindRow(page, 'forum'), [n0 + 1, p0 + 17]);
  const m = studentBefore.match(/(\d+) 条 \/ (\d+) 人/), now = (await catText(page, student.id)).match(/(\d+) 条 \/ (\d+) 人/);
  assert.deepEqual([Number(now[1]), Number(now[2])], [Number(m[1]) + 1, Number(m[2]) + 12]);
  assert.ok((await page.locator('#entries').innerText()).includes('浏览器测试：大学生村干部座谈会'));
  await ctx.close();
});

test('the secretary changes the forum\'s participants on its page, then deletes it: the totals follow', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'secretary');
  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  const [n0, p0] = await kindRow(page, 'forum');
  await Promise.all([page.waitForURL(/\/ledger\/\d+$/), page.getByRole('link', { name: '浏览器测试：大学生村干部座谈会' }).click()]);
  const student = (await secretary.get(`/api/v1/orgs/${branch}/ledger-categories`)).json.kinds.find((k) => k.kind === 'forum').categories.find((c) => c.name === '大学生村干部');
  assert.equal(await page.inputValue(`#edit #part_${student.id}`), '12', 'the form shows the participants entered');
  await page.fill(`#edit #part_${student.id}`, '20');
  await Promise.all([page.waitForURL(/\/ledger\/\d+$/), page.getByRole('button', { name: '保存修改' }).click()]);
  assert.equal((await page.locator('#people').innerText()).trim(), '25');
  await axeCheck(page, 'a ledger entry after an edit');
  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  assert.deepEqual(await kindRow(page, 'forum'), [n0, p0 + 8]);
  await Promise.all([page.waitForURL(/\/ledger\/\d+$/), page.getByRole('link', { name: '浏览器测试：大学生村干部座谈会' }).click()]);
  await Promise.all([page.waitForURL(/\/orgs\/\d+\/ledger$/), page.click('#delete')]);
  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  assert.deepEqual(await kindRow(page, 'forum'), [n0 - 1, p0 - 17]);
  assert.ok(!(await page.locator('#entries').innerText()).includes('浏览器测试：大学生村干部座谈会'));
  await ctx.close();
});

test('a refused entry is shown again with its reason, and nothing is counted', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'secretary');
  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  const before = await kindRow(page, 'forum');
  await page.selectOption('#kind', 'forum');
  await page.fill('#title', '浏览器测试：没有人参加的座谈会');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await page.waitForSelector('.alert[data-code="no_participants"]');
  await page.goto(`${srv.base}/orgs/${branch}/ledger?period=${year}`);
  assert.deepEqual(await kindRow(page, 'forum'), before);
  await ctx.close();
});

test('the town office sees its subtree\'s totals and downloads the summary', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/orgs/${townId}/ledger?period=${year}&kind=forum`);
  const api = (await town.get(`/api/v1/orgs/${townId}/ledger?period=${year}`)).json.kinds.find((k) => k.kind === 'forum');
  assert.deepEqual(await kindRow(page, 'forum'), [api.entries, api.people]);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  assert.match(dl.suggestedFilename(), /台账汇总.*\.xlsx$/);
  await ctx.close();
});

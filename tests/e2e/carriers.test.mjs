// carriers.test.mjs: a carrier that can be tracked (载体, issue 22) in a real Chromium, on this file's
// own demo database. The member opens the town's 五个一 page: the running phase 组织实施 is marked
// 进行中, only their own five entries are listed; they fill one with a text and a PNG from the
// page, and it shows done with the file. The town office then reads the progress table: the
// member's branch counts one more entry done. axe-core finds no serious or critical violation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, launchChromium, axeCheck, scratchFile, PNG_1x1 as PNG } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [town, member] = await Promise.all([loginAs(srv.base, 'town'), loginAs(srv.base, 'member')]);
const townId = town.user.roles[0].org_id;
const five = (await town.get(`/api/v1/orgs/${townId}/carriers`)).json.carriers.find((c) => c.name === '五个一');
const branch = member.user.roles[0].org_id;
const doneAt = async () => (await town.get(`/api/v1/carriers/${five.id}?org_id=${branch}`)).json.progress
  .find((p) => p.org_id === branch).items.reduce((s, x) => s + x.done, 0);

test('the member fills an entry of 五个一 with evidence on the page; the office sees the branch\'s progress', async () => {
  const before = await doneAt();
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'member');
  await page.goto(`${srv.base}/carriers/${five.id}`);
  assert.match(await page.locator('#phases').innerText(), /组织实施.*进行中/s);
  assert.equal(await page.locator('#entries li').count(), 5, 'the member sees their own five entries only');
  assert.equal(await page.locator('#progress').count(), 0);
  await axeCheck(page, 'the member\'s carrier page');
  const li = page.locator('#entries li', { has: page.locator('form') }).filter({ hasText: '待填报' }).first();
  const id = (await li.getAttribute('id')).replace('entry-', '');
  await li.locator('textarea[name="text"]').fill('为邻居老人代缴医保');
  const file = scratchFile('佐证.png', PNG);
  await li.locator('input[type="file"]').setInputFiles(file);
  await Promise.all([page.waitForURL(new RegExp(`#entry-${id}$`)), li.getByRole('button', { name: '保存填报' }).click()]);
  const after_ = page.locator(`#entry-${id}`);
  assert.match(await after_.innerText(), /已完成/);
  assert.match(await after_.innerText(), /为邻居老人代缴医保/);
  assert.equal(await after_.locator('a[href^="/carrier-files/"]').count(), 1);
  await ctx.close();
  assert.equal(await doneAt(), before + 1);

  const staff = await browser.newContext({ locale: 'zh-CN' });
  staff.setDefaultTimeout(10_000);
  const p2 = await staff.newPage();
  await pageLogin(p2, srv.base, 'town');
  await p2.goto(`${srv.base}/carriers/${five.id}`);
  assert.match(await p2.locator('#progress').innerText(), /谏一言 \d+\/\d+（\d+%）/);
  assert.equal(await p2.locator('#edit form').count(), 2, 'the town office may edit and retire its carrier');
  await axeCheck(p2, 'the office\'s carrier page');
  await staff.close();
});

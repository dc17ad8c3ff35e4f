// liaison.test.mjs: liaison points (联络点) in a real Chromium, on this file's own demo database. The
// first town's office, on the liaison page, raises the rule's maximum to three points (the demo's
// town leader keeps two) and assigns the first branch to the leader; the leader, on a phone-sized
// page, opens the point from 我的联络点, records a visit with a photo and a problem found, and turns
// the problem into a rectification item in one step. axe-core finds no serious or critical
// violation, and nothing sticks out sideways on a phone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, daysFromToday, launchChromium, axeCheck, PNG_1x1 as PNG, scratchFile } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [town, leader, secretary] = await Promise.all(['town', 'leader', 'secretary'].map((u) => loginAs(srv.base, u)));
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
let pointId;

test('the office sets the rule and assigns a point on the liaison page', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/orgs/${townId}`);
  await Promise.all([page.waitForURL(/\/liaison$/), page.getByRole('link', { name: '联络点', exact: true }).click()]);
  assert.match(await page.locator('#liaison-counts').innerText(), /领导干部 \d+ 名/);
  await axeCheck(page, 'the liaison page');
  await page.fill('#max_points', '3');
  await Promise.all([page.waitForURL(/\/liaison$/), page.getByRole('button', { name: '保存规则' }).click()]);
  assert.match(await page.locator('section.card').first().innerText(), /1–3 个联络点/);
  await page.selectOption('#leader_id', String(leader.user.id));
  await page.selectOption('#org_id', String(branch));
  await Promise.all([page.waitForURL(/\/liaison$/), page.getByRole('button', { name: '确定', exact: true }).click()]);
  const row = page.locator('#points li', { hasText: '镇党委书记' }).filter({ has: page.locator(`a[href^="/liaison-points/"]`) });
  assert.ok((await row.count()) >= 3, 'the leader now keeps three points');
  const p = (await town.get(`/api/v1/liaison-leaders/${leader.user.id}`)).json.points.find((x) => x.org_id === branch && x.open);
  assert.ok(p, 'the point was made');
  pointId = p.id;
  await ctx.close();
});

test('the leader records a visit on a phone and turns its problem into rectification', async () => {
  assert.ok(pointId, 'the point was made');
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'leader');
  await page.goto(`${srv.base}/desk`);
  await Promise.all([page.waitForURL(/\/liaison-leaders\/\d+$/), page.getByRole('link', { name: '我的联络点' }).click()]);
  await axeCheck(page, 'the leader\'s liaison points');
  await Promise.all([page.waitForURL(new RegExp(`/liaison-points/${pointId}$`)), page.locator(`#points a[href="/liaison-points/${pointId}"]`).click()]);
  await page.fill('#visited_on', daysFromToday(0));
  await page.fill('#done', '浏览器测试：走访支部，参加主题党日');
  await page.fill('#problems_found', '浏览器测试：党员活动室漏雨');
  await page.setInputFiles('#files', scratchFile('走访照片.png', PNG));
  await Promise.all([page.waitForURL(/#visits$/), page.getByRole('button', { name: '保存走访' }).click()]);
  const item = page.locator('li.visit', { hasText: '浏览器测试：走访支部' });
  assert.match(await item.innerText(), /党员活动室漏雨/);
  assert.equal(await item.getByRole('link', { name: '走访照片.png' }).count(), 1);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the point page is ${wide}px wider than the phone`);
  await axeCheck(page, 'the point with a visit');
  await item.locator('summary', { hasText: '转为整改事项' }).click();
  await item.getByLabel('整改措施').fill('一个月内修缮党员活动室');
  await item.getByLabel('责任人').fill('支部书记');
  await item.getByLabel('完成时限').fill(daysFromToday(30));
  await Promise.all([page.waitForURL(/#visits$/), item.getByRole('button', { name: '转为整改事项' }).click()]);
  const link = page.locator('li.visit', { hasText: '浏览器测试：走访支部' }).getByRole('link', { name: /整改事项 \d+/ });
  const rid = Number((await link.innerText()).match(/(\d+)/)[1]);
  const x = (await town.get(`/api/v1/rectifications/${rid}`)).json.rectification;
  assert.equal(x.source_kind, 'liaison_visit');
  assert.equal(x.org_id, branch);
  assert.equal(x.problem, '浏览器测试：党员活动室漏雨');
  assert.equal(await page.locator('li.visit', { hasText: '浏览器测试：走访支部' }).locator('summary', { hasText: '转为整改事项' }).count(), 0, 'once');
  await ctx.close();
});

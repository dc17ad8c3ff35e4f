// inspections.test.mjs: inspections (督查) in a real Chromium, on this file's own demo database.
// The district office plans a 随机抽查 of the first town's branches on the inspections page: the plan
// shows the seed's SHA-256 before the draw; drawing shows the seed, the population and its digest,
// and the three branches drawn. Then a member of the team (the first town's office), on a phone-sized
// page, records a problem at the first branch drawn and turns it into a rectification item in one
// step (its own town: it can open the item). A 随机抽查 of members: the office chooses 党员, the draw
// shows the members drawn by name with their organisation, and the team records a finding about one.
// axe-core finds no serious or critical violation, and nothing sticks out sideways on a phone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServerOn, loginAs, pageLogin, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [office, town] = await Promise.all(['office', 'town'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
let inspectionPath;

/** The office's page for a new plan, filled in as a 随机抽查 of the first town by the town's office, titled title. */
async function randomPlanForm(title) {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'office');
  await page.goto(`${srv.base}/orgs/${rootId}/inspections`);
  await page.selectOption('#kind', 'random');
  await page.fill('#title', `浏览器测试：${title}`);
  await page.fill('#start_date', daysFromToday(0));
  await page.fill('#end_date', daysFromToday(20));
  await page.selectOption('#scope_org_id', String(townId));
  await page.fill('#team', 'town');
  return { ctx, page };
}

test('the office plans a random check on the page and draws', async () => {
  const { ctx, page } = await randomPlanForm('支部随机抽查');
  await page.getByLabel(/五个好：领导班子好/).check();
  await page.fill('#items', '党费收缴台账');
  await page.fill('#draw_n', '3');
  await page.fill('#population_types', 'branch');
  await Promise.all([page.waitForURL(/\/inspections\/\d+$/), page.getByRole('button', { name: '保存督查计划' }).click()]);
  inspectionPath = new URL(page.url()).pathname;
  const hash = (await page.locator('#seed-hash').innerText()).trim();
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(await page.locator('#seed').count(), 0, 'no seed before the draw');
  await axeCheck(page, 'the inspection before the draw');
  await Promise.all([page.waitForURL(/#draw$/), page.getByRole('button', { name: '现在抽取' }).click()]);
  const seed = (await page.locator('#seed').innerText()).trim();
  assert.equal(createHash('sha256').update(seed).digest('hex'), hash, 'the seed shown matches the commitment shown before');
  assert.ok(Number(await page.locator('#population').innerText()) >= 3);
  assert.match((await page.locator('#population-digest').innerText()).trim(), /^[0-9a-f]{64}$/);
  assert.equal(await page.locator('#targets ol li').count(), 3);
  assert.equal(await page.getByRole('button', { name: '现在抽取' }).count(), 0, 'drawn once');
  await Promise.all([page.waitForURL(new RegExp(`${inspectionPath}$`)), page.getByRole('button', { name: '开始督查' }).click()]);
  assert.equal((await page.locator('#status').innerText()).trim(), '进行中');
  await ctx.close();
});

test('a team member records a problem on a phone and turns it into rectification', async () => {
  assert.ok(inspectionPath, 'the plan was made');
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(srv.base + inspectionPath);
  const first = (await page.locator('#org_id option').first().innerText()).trim();
  await page.locator('#level-problem').check();
  await page.fill('#text', '浏览器测试：组织生活会记录缺少整改措施');
  await Promise.all([page.waitForURL(/#findings$/), page.getByRole('button', { name: '保存' }).click()]);
  const item = page.locator('li.finding', { hasText: '浏览器测试：组织生活会记录缺少整改措施' });
  assert.match(await item.innerText(), new RegExp(first));
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the inspection page is ${wide}px wider than the phone`);
  await axeCheck(page, 'the inspection with a finding');
  await item.locator('summary', { hasText: '转为整改事项' }).click();
  await item.getByLabel('整改措施').fill('每次组织生活会后一周内制定整改措施并公开');
  await item.getByLabel('责任人').fill('支部书记');
  await item.getByLabel('完成时限').fill(daysFromToday(30));
  await Promise.all([page.waitForURL(/#findings$/), item.getByRole('button', { name: '转为整改事项' }).click()]);
  const link = page.locator('li.finding', { hasText: '浏览器测试：组织生活会记录缺少整改措施' }).getByRole('link', { name: /已转为整改事项/ });
  const rid = Number((await link.innerText()).match(/(\d+)/)[1]);
  // the item is the drawn branch's, from the inspection
  const x = (await office.get(`/api/v1/rectifications/${rid}`)).json.rectification;
  assert.equal(x.source, 'inspection');
  assert.equal(x.org_name, first);
  assert.equal(x.problem, '浏览器测试：组织生活会记录缺少整改措施');
  assert.equal(x.owner, '支部书记');
  await ctx.close();
});

test('a random check of members: drawn by name with their organisation, a finding about one', async () => {
  const { ctx, page } = await randomPlanForm('党员随机抽查');
  await page.locator('#draw-of-member').check();
  await page.fill('#draw_n', '4');
  await Promise.all([page.waitForURL(/\/inspections\/\d+$/), page.getByRole('button', { name: '保存督查计划' }).click()]);
  const path = new URL(page.url()).pathname;
  assert.match(await page.locator('#draw').innerText(), /抽取 4 名党员/);
  await Promise.all([page.waitForURL(/#draw$/), page.getByRole('button', { name: '现在抽取' }).click()]);
  assert.match(await page.locator('#draw').innerText(), /\d+ 名党员，总体摘要/);
  const id = Number(path.split('/').pop());
  const targets = (await office.get(`/api/v1/inspections/${id}`)).json.targets;
  assert.equal(targets.length, 4);
  const names = await page.locator('#targets .member-target').allInnerTexts();
  assert.deepEqual(names, targets.map((t) => t.member_name), 'the members drawn, by name, in draw order');
  await axeCheck(page, 'a member draw');
  await Promise.all([page.waitForURL(new RegExp(`${path}$`)), page.getByRole('button', { name: '开始督查' }).click()]);
  await ctx.close();

  const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(10_000);
  const p2 = await phone.newPage();
  await pageLogin(p2, srv.base, 'town');
  await p2.goto(srv.base + path);
  await p2.selectOption('#member_id', String(targets[1].member_id));
  await p2.locator('#level-problem').check();
  await p2.fill('#text', '浏览器测试：学习笔记缺失');
  await Promise.all([p2.waitForURL(/#findings$/), p2.getByRole('button', { name: '保存' }).click()]);
  const item = p2.locator('li.finding', { hasText: '浏览器测试：学习笔记缺失' });
  assert.match(await item.innerText(), new RegExp(`${targets[1].member_name}（${targets[1].org_name}）`));
  const wide = await p2.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the member draw is ${wide}px wider than the phone`);
  await axeCheck(p2, 'a finding about a member');
  await phone.close();
});

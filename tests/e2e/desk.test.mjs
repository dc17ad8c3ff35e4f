// desk.test.mjs: the to-do desk (工作台) in a real Chromium, at a desktop's and a phone's width,
// on this file's own demo database. Through the API the `member` submits a pledge; then the demo
// secretary signs in from the home page and lands on the desk, which shows the pledge waiting for
// review (审诺) with its count; following that item's link opens the branch's pledge list
// filtered to those submitted, with the pledge in it, and the short list's entry opens the pledge
// itself. The header's 工作台 leads back, 三评 opens the branch's rounds. axe-core finds no
// serious or critical violation on the desk, and nothing sticks out sideways on a phone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, PASSWORD, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const TITLE = '工作台浏览器测试：每周为孤寡老人代购';
const member = await loginAs(srv.base, 'member');
const pledge = (await ok(await member.post('/api/v1/pledges', { area: '服务群众', title: TITLE, content: '每周为孤寡老人代购一次生活用品。',
  measures: '与村委会对接名单，每周六上门。', responsible: '本人', due_date: daysFromToday(60) }), 201)).pledge;
await ok(await member.post(`/api/v1/pledges/${pledge.id}/submit`));
const secretary = await loginAs(srv.base, 'secretary');
const branch = secretary.user.roles[0].org_id;
const waiting = (await ok(await secretary.get('/api/v1/me/desk'))).sections[0].items.find((x) => x.key === 'pledges_submitted').count;
assert.ok(waiting >= 1, 'the submitted pledge waits for the secretary');

async function signIn(opts) {
  const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/');
  await page.waitForURL(/\/login/);
  await page.getByLabel('用户名').fill('secretary');
  await page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/desk$/), page.getByRole('button', { name: '登录' }).click()]);
  return { ctx, page };
}

test('the secretary lands on the desk and follows the pledges waiting for review', async () => {
  const { ctx, page } = await signIn();
  await page.locator('h1', { hasText: '工作台' }).waitFor();
  const row = page.locator('tr[data-key="pledges_submitted"]');
  assert.equal((await row.locator('td').nth(1).innerText()).trim(), String(waiting));
  await axeCheck(page, 'the desk');
  await Promise.all([page.waitForURL(new RegExp(`/orgs/${branch}/pledges\\?status=submitted$`)),
    row.getByRole('link', { name: '待审核的承诺（审诺）' }).click()]);
  await page.getByText(TITLE).first().waitFor();
  // back by the header, then the short list's entry opens the pledge itself
  await Promise.all([page.waitForURL(/\/desk$/), page.locator('header').getByRole('link', { name: '工作台' }).click()]);
  await Promise.all([page.waitForURL(new RegExp(`/pledges/${pledge.id}$`)), page.locator('tr[data-key="pledges_submitted"]').getByRole('link', { name: new RegExp(TITLE) }).click()]);
  await page.getByRole('button', { name: /审核通过/ }).waitFor();
  await page.goto(srv.base + '/desk');
  await Promise.all([page.waitForURL(new RegExp(`/orgs/${branch}/rounds$`)), page.locator('header').getByRole('link', { name: '三评' }).click()]);
  await ctx.close();
});

test('at a phone\'s width nothing sticks out sideways', async () => {
  const { ctx, page } = await signIn({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the desk is ${wide}px wider than the phone`);
  await ctx.close();
});

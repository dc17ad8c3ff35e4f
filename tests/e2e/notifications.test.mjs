// notifications.test.mjs: the bell and the list of notifications in a real Chromium, on a member's
// phone-sized page, on this file's own demo database. Through the API the `member` submits a
// pledge and the secretary returns it; the member signs in on a phone, the bell in the top
// navigation shows the unread count, opens the list with the returned pledge's notice linking to
// the pledge; marking it read lowers the count and the bell's badge; axe-core finds no serious or
// critical violation, and nothing sticks out sideways.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const TITLE = '通知浏览器测试：每月清理一次河道';
const member = await loginAs(srv.base, 'member');
const secretary = await loginAs(srv.base, 'secretary');
const pledge = (await ok(await member.post('/api/v1/pledges', { area: '服务群众', title: TITLE, content: '每月清理一次村口河道。',
  measures: '每月第一个周六。', responsible: '本人', due_date: daysFromToday(60) }), 201)).pledge;
await ok(await member.post(`/api/v1/pledges/${pledge.id}/submit`));
await ok(await secretary.post(`/api/v1/pledges/${pledge.id}/return`, { reason: '请写清楚清理的范围' }));
const unread = (await ok(await member.get('/api/v1/me/notifications'))).unread;
assert.ok(unread >= 1, 'the returned pledge is waiting in the member\'s notifications');

test('on a phone the member sees the bell\'s count, opens the list and marks the notice read', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'member');
  const bell = page.locator('header #bell');
  assert.equal((await bell.locator('.badge').innerText()).trim(), String(unread));
  await Promise.all([page.waitForURL(/\/me\/notifications$/), bell.click()]);
  const item = page.locator('li.notification', { hasText: TITLE });
  await item.waitFor();
  assert.match(await item.innerText(), /承诺被退回/);
  assert.equal(await item.getByRole('link').getAttribute('href'), `/pledges/${pledge.id}`);
  assert.equal((await page.locator('#unread-count').innerText()).trim(), String(unread));
  await axeCheck(page, 'the notifications');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the list is ${wide}px wider than the phone`);
  await Promise.all([page.waitForURL(/\/me\/notifications$/), item.getByRole('button', { name: '标为已读' }).click()]);
  assert.equal((await page.locator('#unread-count').innerText()).trim(), String(unread - 1));
  if (unread - 1 > 0) assert.equal((await page.locator('header #bell .badge').innerText()).trim(), String(unread - 1));
  else assert.equal(await page.locator('header #bell .badge').count(), 0);
  assert.equal(await page.locator('li.notification', { hasText: TITLE }).getByRole('button', { name: '标为已读' }).count(), 0);
  // the notice leads to the pledge
  await Promise.all([page.waitForURL(new RegExp(`/pledges/${pledge.id}$`)), page.locator('li.notification', { hasText: TITLE }).getByRole('link').click()]);
  await page.getByText(TITLE).first().waitFor();
  await ctx.close();
});

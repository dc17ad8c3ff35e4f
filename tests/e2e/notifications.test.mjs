// notifications.test.mjs: the bell and the list of notifications in a real Chromium, on a member's
// phone-sized page, on this file's own demo database. Through the API the `member` submits two
// pledges and the secretary returns them; the member signs in on a phone, the bell in the top
// navigation shows the unread count and opens the list; following one notice opens its pledge and
// marks it read, marking the other read lowers the count and the bell's badge again; axe-core finds
// no serious or critical violation, and nothing sticks out sideways.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const TITLE = '通知浏览器测试：每月清理一次河道', TITLE2 = '通知浏览器测试：每季度走访一次老党员';
const member = await loginAs(srv.base, 'member');
const secretary = await loginAs(srv.base, 'secretary');
const pledges = [];
for (const title of [TITLE, TITLE2]) {
  const p = (await ok(await member.post('/api/v1/pledges', { area: '服务群众', title, content: '为群众办实事。',
    measures: '按时完成。', responsible: '本人', due_date: daysFromToday(60) }), 201)).pledge;
  await ok(await member.post(`/api/v1/pledges/${p.id}/submit`));
  await ok(await secretary.post(`/api/v1/pledges/${p.id}/return`, { reason: '请写清楚范围' }));
  pledges.push(p);
}
const unread = (await ok(await member.get('/api/v1/me/notifications'))).unread;
assert.ok(unread >= 2, 'the returned pledges wait in the member\'s notifications');

test('on a phone the member sees the bell\'s count, opens the list, follows one notice and marks another read', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'member');
  const bell = page.locator('header #bell');
  assert.equal((await bell.locator('.badge').innerText()).trim(), String(unread));
  await Promise.all([page.waitForURL(/\/me\/notifications$/), bell.click()]);
  const item = (t) => page.locator('li.notification', { hasText: t });
  await item(TITLE).waitFor();
  assert.match(await item(TITLE).innerText(), /承诺被退回/);
  assert.equal((await page.locator('#unread-count').innerText()).trim(), String(unread));
  await axeCheck(page, 'the notifications');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the list is ${wide}px wider than the phone`);
  // following a notice opens its pledge and marks it read
  await Promise.all([page.waitForURL(new RegExp(`/pledges/${pledges[0].id}$`)), item(TITLE).getByRole('button', { name: new RegExp(TITLE) }).click()]);
  await page.getByText(TITLE).first().waitFor();
  assert.equal((await page.locator('header #bell .badge').innerText()).trim(), String(unread - 1));
  await Promise.all([page.waitForURL(/\/me\/notifications$/), page.locator('header #bell').click()]);
  assert.equal(await item(TITLE).getByRole('link').getAttribute('href'), `/pledges/${pledges[0].id}`);
  assert.equal(await item(TITLE).locator('.tag.warn').count(), 0, 'no longer marked 未读');
  // marking the other read lowers the count again, and the bell's badge with it
  await Promise.all([page.waitForURL(/\/me\/notifications$/), item(TITLE2).getByRole('button', { name: '标为已读' }).click()]);
  assert.equal((await page.locator('#unread-count').innerText()).trim(), String(unread - 2));
  if (unread - 2 > 0) assert.equal((await page.locator('header #bell .badge').innerText()).trim(), String(unread - 2));
  else assert.equal(await page.locator('header #bell .badge').count(), 0);
  assert.equal(await item(TITLE2).getByRole('button', { name: '标为已读' }).count(), 0);
  await ctx.close();
});

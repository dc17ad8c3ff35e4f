// meetings.test.mjs: the QR sign-in of organisation life (组织生活) in a real Chromium, on this file's
// own demo database. The branch secretary plans a meeting and makes its sign-in QR code on the
// meeting page (the printable A4 page shows the code and the address it carries, never the
// meeting's id alone). A member, on a phone-sized page, opens that address without a session: the
// login comes first and leads back; they press 签到 and see 已签到; opening it again still says
// 已签到, and their 我的组织生活 page lists the meeting as 扫码签到. The secretary then sees them
// present, signed in by QR. axe-core finds no serious or
// critical violation, and nothing sticks out sideways on the phone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, daysFromToday, launchChromium, axeCheck, PASSWORD } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [secretary, member] = await Promise.all(['secretary', 'member'].map((u) => loginAs(srv.base, u)));
const branch = secretary.user.roles[0].org_id;

test('a member opens the QR\'s address on a phone, signs in with their own account and sees 已签到; the secretary sees them present', async () => {
  // the secretary plans the meeting and makes the code on the page
  const desk = await browser.newContext({ locale: 'zh-CN' });
  desk.setDefaultTimeout(10_000);
  const sp = await desk.newPage();
  await pageLogin(sp, srv.base, 'secretary');
  await sp.goto(`${srv.base}/orgs/${branch}/meetings`);
  await sp.selectOption('#kind', 'theme_day');
  await sp.fill('#title', '浏览器测试：主题党日');
  await sp.fill('#held_on', daysFromToday(0));
  await sp.fill('#place', '党群服务中心');
  await Promise.all([sp.waitForURL(/\/meetings\/\d+$/), sp.getByRole('button', { name: '保存会议' }).click()]);
  const meetingPath = new URL(sp.url()).pathname;
  await axeCheck(sp, 'the meeting page');
  await Promise.all([sp.waitForURL(/\/meetings\/\d+\/qr$/), sp.locator('#make-qr').click()]);
  assert.equal(await sp.locator('#signin-qr svg').count(), 1, 'the printable page shows the QR code');
  const url = (await sp.locator('#signin-url').innerText()).trim();
  assert.match(url, /\/signin\/[0-9a-f]{48}$/);
  assert.ok(!url.includes(meetingPath), 'the address carries a secret, not the meeting id');
  await axeCheck(sp, 'the printable QR page');

  // the member's phone: no session yet, so the login first, which leads back to the sign-in
  const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(10_000);
  const pp = await phone.newPage();
  await pp.goto(url);
  assert.match(new URL(pp.url()).pathname, /^\/login$/);
  await pp.fill('#username', 'member');
  await pp.fill('#password', PASSWORD);
  await Promise.all([pp.waitForURL(/\/signin\/[0-9a-f]{48}$/), pp.click('button[type=submit]')]);
  assert.match(await pp.locator('h1').innerText(), /会议签到/);
  assert.match(await pp.locator('.signin-title').innerText(), /浏览器测试：主题党日/);
  await axeCheck(pp, 'the phone sign-in page');
  await Promise.all([pp.waitForLoadState('load'), pp.getByRole('button', { name: '签到' }).click()]);
  await pp.locator('#signed').waitFor();
  assert.match(await pp.locator('#signed').innerText(), /已签到/);
  const wide = await pp.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the sign-in page sticks out ${wide}px sideways on a phone`);
  await pp.goto(url); // a second scan: still signed in, no button
  assert.match(await pp.locator('#signed').innerText(), /已签到/);
  assert.equal(await pp.getByRole('button', { name: '签到' }).count(), 0);
  // 我的组织生活 from the menu: the meeting signed in by QR shows as 扫码签到, the year's rate above
  await Promise.all([pp.waitForURL(/\/me\/meetings$/), pp.locator('nav.me').getByRole('link', { name: '我的组织生活' }).click()]);
  assert.match(await pp.locator('h1').innerText(), /我的组织生活/);
  const mine = pp.locator('#my-meetings tr', { hasText: '浏览器测试：主题党日' });
  assert.equal(await mine.count(), 1, 'the meeting is listed');
  assert.match(await mine.innerText(), /扫码签到/);
  assert.match(await pp.locator('#attendance-rate').innerText(), /出席率 (\d+\.\d%|—)/);
  const wideMine = await pp.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wideMine <= 0, `我的组织生活 sticks out ${wideMine}px sideways on a phone`);
  await axeCheck(pp, '我的组织生活 on a phone');
  await phone.close();

  // the secretary's page: present, by QR
  await sp.goto(srv.base + meetingPath);
  const row = sp.locator(`tr[data-member="${member.user.member_id}"]`);
  assert.match(await row.locator('td.state').innerText(), /出席/);
  assert.match(await row.innerText(), /扫码签到/);
  assert.match(await sp.locator('#meeting-counts').innerText(), /出席 1 人/);
  await desk.close();
});

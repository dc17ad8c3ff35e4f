// totp.test.mjs: the second factor in a real Chromium. A town's leader opens 账号安全, starts the
// set-up, reads the secret the page shows beside its QR code (as an authenticator app would scan
// it), proves it with a code and is told it is on; signing in again then asks the code after the
// password: a wrong one is refused on the page, the app's next code signs in. Pages pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, launchChromium, axeCheck, pageLogin, totpAt, totpStep } from '../lib.mjs';

const srv = await startServerOn({ members: 40 });
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

test('a leader enrols on the page and signs in with a code', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'leader');
  await Promise.all([page.waitForNavigation(), page.click('nav.me >> text=账号安全')]);
  assert.equal(await page.locator('[data-state=off]').count(), 1);
  await Promise.all([page.waitForNavigation(), page.click('text=开始设置两步验证')]);
  assert.equal(await page.locator('[data-state=enrolling]').count(), 1);
  assert.equal(await page.locator('figure.qr svg').count(), 1, 'the QR code an app scans');
  const secret = await page.locator('[data-secret]').getAttribute('data-secret');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal((await page.locator('[data-secret]').innerText()).replace(/\s/g, ''), secret);
  await axeCheck(page, 'security page (enrolling)');
  // a code typed wrong: told, still not on
  const step = totpStep();
  const wrong = totpAt(secret, step) === '000000' ? '111111' : '000000';
  await page.fill('#code', wrong);
  await Promise.all([page.waitForNavigation(), page.click('text=验证并启用')]);
  assert.match(await page.locator('.alert').first().innerText(), /验证码不对/);
  assert.equal(await page.locator('[data-state=enrolling]').count(), 1);
  await page.fill('#code', totpAt(secret, step));
  await Promise.all([page.waitForNavigation(), page.click('text=验证并启用')]);
  assert.match(await page.locator('p.ok').innerText(), /两步验证已启用/);
  assert.equal(await page.locator('[data-state=on]').count(), 1);
  assert.equal(await page.locator('[data-secret]').count(), 0, 'the secret is not shown again');
  await axeCheck(page, 'security page (on)');
  await Promise.all([page.waitForNavigation(), page.click('text=退出')]);

  // signing in: the password, then the code
  await pageLogin(page, srv.base, 'leader');
  assert.match(new URL(page.url()).pathname, /^\/login\/totp$/);
  assert.equal((await ctx.cookies()).some((c) => c.name === 'cxzy_session'), false, 'no session after the password alone');
  await axeCheck(page, 'sign-in code page');
  await page.fill('#code', totpAt(secret, step)); // the one used to enrol: spent
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.locator('.alert').innerText(), /验证码不对或已经用过/);
  await page.fill('#code', totpAt(secret, step + 1));
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/desk');
  assert.match(await page.locator('nav.me .who').innerText(), /leader/);
  await ctx.close();
});

// accounts.test.mjs: first sign-in as a member holding a printed slip, in a real Chromium. The
// secretary opens 账号与激活单 from the branch page, prints the slips (A4, ten to a page, each with
// a QR code of the activation page), and a member types the username and the code from the slip,
// sets a password and is signed in; the same code then no longer works. Pages pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, launchChromium, axeCheck, pageLogin } from '../lib.mjs';

const srv = await startServerOn({ members: 40 });
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

test('a secretary prints the slips; a member activates with one and is signed in', async () => {
  const secretary = await loginAs(srv.base, 'secretary');
  const branch = secretary.user.roles[0].org_id;
  const pending = (await secretary.get(`/api/v1/orgs/${branch}/accounts`)).json.stats.pending;
  assert.ok(pending >= 2);
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'secretary');
  await page.goto(`${srv.base}/orgs/${branch}`);
  await Promise.all([page.waitForNavigation(), page.click('text=账号与激活单')]);
  assert.equal(await page.locator('[data-stat=pending]').innerText(), String(pending));
  await axeCheck(page, 'accounts page');
  await Promise.all([page.waitForNavigation(), page.click('text=打印本组织的激活单')]);
  assert.equal(await page.locator('.slip').count(), pending);
  assert.equal(await page.locator('.slip svg').count(), pending, 'a QR code on every slip');
  // printed: two slips side by side, none cut across a page
  await page.emulateMedia({ media: 'print' });
  const [a, b] = await page.evaluate(() => [...document.querySelectorAll('.slip')].slice(0, 2).map((e) => e.getBoundingClientRect().top));
  assert.equal(a, b);
  const slip = page.locator('.slip').first();
  const username = await slip.getAttribute('data-username');
  const code = await slip.locator('.slip-code').innerText();
  const qrTarget = await page.locator('.slip').first().locator('.small').innerText();
  assert.match(qrTarget, /\/activate/);
  await ctx.close();

  // the member, on a phone, follows the QR code: the username is filled in
  const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 800 } });
  phone.setDefaultTimeout(15_000);
  const m = await phone.newPage();
  await m.goto(`${srv.base}/activate?u=${username}`);
  assert.equal(await m.inputValue('#username'), username);
  await axeCheck(m, 'activation page');
  // a typo in the second password: told, nothing set
  await m.fill('#code', code.toLowerCase());
  await m.fill('#password', 'my-new-pass-2026');
  await m.fill('#password2', 'my-new-pass-2027');
  await Promise.all([m.waitForNavigation(), m.click('button[type=submit]')]);
  assert.match(await m.locator('.alert').innerText(), /两次输入的密码不一致/);
  await m.fill('#code', code);
  await m.fill('#password', 'my-new-pass-2026');
  await m.fill('#password2', 'my-new-pass-2026');
  await Promise.all([m.waitForNavigation(), m.click('button[type=submit]')]);
  assert.ok(!m.url().includes('/activate'), m.url());
  assert.match(await m.locator('.who').innerText(), new RegExp(username));
  await phone.close();

  // the code is spent; the password signs in
  const again = await browser.newContext({ locale: 'zh-CN' });
  const p = await again.newPage();
  await p.goto(`${srv.base}/activate?u=${username}`);
  await p.fill('#code', code);
  await p.fill('#password', 'another-pass-2026');
  await p.fill('#password2', 'another-pass-2026');
  await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
  assert.match(await p.locator('.alert').innerText(), /激活码不对|已经激活/);
  await pageLogin(p, srv.base, username, 'my-new-pass-2026');
  assert.ok(!p.url().includes('/login'), p.url());
  await again.close();
});

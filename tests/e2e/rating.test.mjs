// rating.test.mjs: public rating (群众评议) in a real Chromium at a phone's size, on this file's own
// demo database with a round the office opens: a resident scans the QR code on a member's desk
// sign (the SVG is decoded here, module by module, and its URL opened), follows 评价 on the card,
// answers 满意 to every question, verifies the phone number by its SMS code (without it the
// ballot would be only the unverified indicator) and submits; a second rating from the same phone
// (the same browser, its device cookie) is refused with the message shown; the secretary then sees
// the ballot counted (and the refused one as invalid) on the branch's rating pages. axe-core runs
// on the rating form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, PASSWORD, loginAs, launchChromium, axeCheck, smsCode } from '../lib.mjs';
import { svgModules, qrDecode } from './qr_decode.mjs';

const PHONE = { width: 390, height: 844 };
const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

async function phoneContext() {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

test('scan a member\'s QR code, rate 满意, a second rating is refused, the secretary sees it counted', async () => {
  // the office opens the round (API), over the whole district
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const camp = (await office.get(`/api/v1/orgs/${root}/campaigns`)).json.campaigns[0];
  const opened = await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' });
  assert.equal(opened.status, 201, opened.text);
  const memberId = (await loginAs(srv.base, 'member')).user.member_id;

  // the resident's phone: the QR code on the desk sign, decoded
  const a = await phoneContext();
  const qr = await a.request.get(`${srv.base}/p/card/${memberId}/qr.svg`);
  assert.equal(qr.status(), 200);
  const url = qrDecode(svgModules(await qr.text()));
  assert.equal(url, `${srv.base}/p/card/${memberId}`, 'the QR code holds the card\'s address');
  const page = await a.newPage();
  assert.equal((await page.goto(url)).status(), 200);
  await Promise.all([page.waitForURL(new RegExp(`/p/rate/member/${memberId}$`)), page.getByRole('link', { name: /评价这位党员/ }).click()]);
  const legends = await page.locator('fieldset.question legend').allTextContents();
  assert.equal(legends.length, 3, legends.join(' / '));
  await axeCheck(page, 'the rating form');
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `the rating form is ${w}px wide at a ${PHONE.width}px viewport`);
  const rateAll = async (verify) => {
    for (const fs of await page.locator('fieldset.question').all()) await fs.getByLabel('满意', { exact: true }).check();
    await page.fill('#comment', '服务热情，办事认真');
    if (verify) { // the code is sent, the form comes back with what was entered
      await page.fill('#phone', '13712345678');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '获取验证码' }).click()]);
      assert.match(await page.locator('[role=status]').first().textContent(), /验证码已发送/);
      await page.fill('#code', await smsCode(srv, '13712345678'));
    }
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name: '提交评价' }).click()]);
  };
  await rateAll(true);
  assert.ok((await page.locator('h1').first().textContent()).includes('感谢您的评价'), await page.textContent('main'));
  assert.equal(await page.locator('[data-status]').getAttribute('data-status'), 'counted');
  assert.deepEqual(await page.locator('[role=alert]').allTextContents(), []);

  // the same phone again: refused, and the page says why
  await page.goto(`${srv.base}/p/rate/member/${memberId}`);
  await rateAll(false);
  const alert = (await page.locator('[role=alert]').allTextContents()).join(' ');
  assert.match(alert, /已经评价过/, `the refusal is shown: ${alert}`);
  assert.equal(await page.locator('[role=alert]').getAttribute('data-code'), 'duplicate_ballot');
  await a.close();

  // the secretary: the branch's rating page and the member's result
  const s = await phoneContext();
  const sp = await s.newPage();
  await sp.goto(srv.base + '/login');
  await sp.fill('#username', 'secretary');
  await sp.fill('#password', PASSWORD);
  await Promise.all([sp.waitForNavigation(), sp.click('button[type=submit]')]);
  await Promise.all([sp.waitForURL(/\/orgs\/\d+\/rating$/), sp.getByRole('link', { name: '群众评议' }).click()]);
  const row = sp.locator(`tr[data-kind=member][data-id="${memberId}"]`);
  assert.equal((await row.locator('td.valid').textContent()).trim(), '1');
  assert.equal((await row.locator('td.invalid').textContent()).trim(), '1', 'the refused repeat is counted as invalid');
  await Promise.all([sp.waitForURL(new RegExp(`/members/${memberId}/ratings$`)), row.locator('a').first().click()]);
  assert.equal((await sp.locator('#valid').textContent()).trim(), '1');
  const text = await sp.textContent('main');
  assert.ok(text.includes('服务热情，办事认真'), 'the comment is shown (as text only)');
  assert.ok(text.includes('100.00%'), 'all answers 满意: a satisfaction rate of 100%');
  await s.close();
});

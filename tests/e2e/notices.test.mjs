// notices.test.mjs: a public notice (公示) in a real Chromium, on this file's own demo database. The
// first town's office opens a notice naming a member; a resident scans the print view's QR code
// (decoded here: it must hold the notice's public page), reads the notice on a phone (390×844),
// objects with a real name and a phone verified by its SMS code, and gets a tracking code. The
// office opens the notice, holds the objection for investigation and records it upheld; the
// resident's tracking page then shows the outcome and the public page the item withdrawn.
// axe-core runs on the public page, the print view, the tracking page and the office's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, launchChromium, axeCheck, smsCode, pageLogin } from '../lib.mjs';
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
const narrow = async (page, what) => {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `${what} is ${w}px wide at a ${PHONE.width}px viewport`);
};

test('a resident objects on a phone; the office holds and decides; the resident sees the outcome by code', async () => {
  const town = await loginAs(srv.base, 'town');
  const member = await loginAs(srv.base, 'member');
  const townId = town.user.roles[0].org_id;
  const opened = await town.post(`/api/v1/orgs/${townId}/notices`, { title: '关于拟表彰优秀共产党员的公示', body: '现予公示，接受群众监督。',
    contact: '电话 0571-88880000', items: [{ subject_kind: 'member', subject_id: member.user.member_id, honour: '优秀共产党员', reason: '带头服务群众' }] });
  assert.equal(opened.status, 201, opened.text);
  const notice = opened.json.notice;
  const who = notice.items[0].name;

  const a = await phoneContext();
  const page = await a.newPage();
  // the print view: A4 with the QR code of the public page
  assert.equal((await page.goto(`${srv.base}/p/notices/${notice.id}/print`)).status(), 200);
  const svg = await page.locator('figure.qr svg').first().evaluate((el) => el.outerHTML);
  assert.equal(qrDecode(svgModules(svg)), `${srv.base}/p/notices/${notice.id}`, 'the print view\'s QR code holds the notice\'s page');
  assert.ok((await page.textContent('main')).includes('（5 个工作日）'));
  await axeCheck(page, 'the notice\'s print view');
  const qr = await a.request.get(`${srv.base}/p/notices/${notice.id}/qr.svg`);
  assert.equal(qrDecode(svgModules(await qr.text())), `${srv.base}/p/notices/${notice.id}`);

  // the public page and the objection
  assert.equal((await page.goto(`${srv.base}/p/notices/${notice.id}`)).status(), 200);
  assert.equal(await page.locator('h1').first().textContent(), notice.title);
  assert.ok((await page.locator('#items').textContent()).includes(who));
  assert.ok((await page.locator('#period').textContent()).includes('个工作日'));
  await axeCheck(page, 'the notice\'s public page');
  await narrow(page, 'the notice\'s public page');
  await page.selectOption('#item_id', String(notice.items[0].id));
  await page.fill('#text', '该同志今年曾多次无故缺席组织生活，请核实。');
  await page.fill('#name', '王大明');
  await page.fill('#phone', '13722224444');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '获取验证码' }).click()]);
  assert.match(await page.locator('[role=status]').first().textContent(), /验证码已发送/);
  assert.equal(await page.inputValue('#name'), '王大明', 'the form keeps what was typed');
  await page.fill('#code', await smsCode(srv, '13722224444'));
  await Promise.all([page.waitForURL(/\/p\/objections\/done$/), page.getByRole('button', { name: '提交异议' }).click()]);
  const code = (await page.locator('#tracking-code').textContent()).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
  await axeCheck(page, 'the objection\'s tracking code');
  await narrow(page, 'the tracking code');

  // the office: the objection, masked; hold, then upheld
  const s = await phoneContext();
  const sp = await s.newPage();
  await pageLogin(sp, srv.base, 'town');
  assert.equal((await sp.goto(`${srv.base}/notices/${notice.id}`)).status(), 200);
  const obj = sp.locator('article.objection').first();
  assert.ok((await obj.textContent()).includes('137****4444'), 'the phone is masked');
  assert.ok(!(await sp.textContent('main')).includes('13722224444') && !(await sp.textContent('main')).includes('王大明'));
  await axeCheck(sp, 'the office\'s page of the notice');
  await Promise.all([sp.waitForLoadState('load'), obj.getByRole('button', { name: /标为核查中/ }).click()]);
  assert.ok((await sp.locator('#items .state').first().textContent()).includes('核查中'));
  await sp.locator('article.objection').first().getByLabel(/异议成立/).check();
  await sp.locator('article.objection textarea').first().fill('经核实，该同志确有多次缺席，撤销其公示。');
  await Promise.all([sp.waitForLoadState('load'), sp.getByRole('button', { name: '记录结论' }).click()]);
  assert.ok((await sp.locator('#items .state').first().textContent()).includes('异议成立'));
  await s.close();

  // the resident follows it by code
  await page.goto(`${srv.base}/p/objections/track`);
  await page.fill('#code', code);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '查询' }).click()]);
  assert.equal((await page.locator('#track-status').textContent()).trim(), '异议成立');
  assert.ok((await page.locator('#track-finding').textContent()).includes('撤销其公示'));
  await axeCheck(page, 'the tracking page');
  await narrow(page, 'the tracking page');
  await page.goto(`${srv.base}/p/notices/${notice.id}`);
  assert.ok((await page.locator('#items').textContent()).includes('已撤销'));
  await a.close();
});

test('the office opens a notice by hand from its members and organisations; bad input is shown beside the form', async () => {
  const town = await loginAs(srv.base, 'town');
  const townId = town.user.roles[0].org_id;
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const p = await ctx.newPage();
  await pageLogin(p, srv.base, 'town');
  assert.equal((await p.goto(`${srv.base}/orgs/${townId}/notices`)).status(), 200);
  await axeCheck(p, 'the office\'s notices and form');
  const name = (await p.locator('#members label').first().textContent()).trim().split('（')[0];
  await p.fill('#title', '关于拟表彰先进个人的公示');
  await p.fill('#honour', '优秀共产党员');
  // no subject ticked: refused, the form kept
  await Promise.all([p.waitForLoadState('load'), p.getByRole('button', { name: '发布公示' }).click()]);
  assert.match(await p.textContent('main'), /请至少选择一名公示对象/);
  assert.equal(await p.inputValue('#title'), '关于拟表彰先进个人的公示');
  const boxes = p.locator('#members input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await p.locator('#orgs input[type=checkbox]').nth(1).check(); // a branch or town below the office
  await p.fill('#honour', '优秀共产党员');
  await Promise.all([p.waitForURL(/\/notices\/\d+$/), p.getByRole('button', { name: '发布公示' }).click()]);
  assert.equal((await p.locator('#items tbody tr').count()), 3, 'two members and an organisation');
  const shown = await p.locator('#items').textContent();
  assert.ok(shown.includes(name), `${name} not in ${shown}`);
  assert.match(await p.locator('#period').textContent(), /（5 个工作日）/);
  await axeCheck(p, 'a notice just opened');
  await ctx.close();
});

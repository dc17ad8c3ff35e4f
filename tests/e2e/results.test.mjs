// results.test.mjs: published round results in a real Chromium, on this file's own demo database.
// The first town's office picks the demo's round, previews its window league table with a minimum
// of 10 valid ballots (the demo's one well-rated window ranked, the other listed apart) and
// publishes it on the page; a resident reads the table on a phone-sized page (390×844) reached from
// the index of published results, with nothing sticking out sideways; the A4 print view carries the
// table and the QR code of the page; the office withdraws it with a reason on its page. axe-core
// finds no serious or critical violation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const town = await loginAs(srv.base, 'town');
const townId = town.user.roles[0].org_id;
let published = 0;

test('the office previews the window league table and publishes it on the page', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/orgs/${townId}/results`);
  await axeCheck(page, 'the results page of the office');
  await page.selectOption('#kind', 'windows');
  await page.fill('#min_ballots', '10');
  await Promise.all([page.waitForURL(/round_id=/), page.getByRole('button', { name: '预览' }).click()]);
  assert.match(await page.locator('#preview-card').innerText(), /尚未公布/);
  const ranked = await page.locator('#ranked tbody tr').allInnerTexts();
  assert.equal(ranked.length, 1);
  assert.match(ranked[0], /^1\s+便民服务中心 社保医保窗口/);
  assert.match(await page.locator('#apart').innerText(), /民政窗口/);
  assert.ok(!(await page.content()).includes('示范岗</td>'), 'posts are not in the window table');
  await axeCheck(page, 'the preview');
  await Promise.all([page.waitForURL(/\/p\/results\/\d+$/), page.getByRole('button', { name: '公布（定稿）' }).click()]);
  published = Number(page.url().match(/(\d+)$/)[1]);
  assert.match(await page.locator('#method').innerText(), /有效评价不少于 10 份的参与排名/);
  await ctx.close();
});

test('a resident reads the table on a phone; the print view carries the table and the QR code', async () => {
  assert.ok(published > 0);
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/p/results`);
  await axeCheck(page, 'the index of published results');
  assert.match(await page.locator(`a[href="/p/results/${published}"]`).first().innerText(), /满意窗口排名/);
  await page.goto(`${srv.base}/p/results/${published}`);
  await axeCheck(page, 'the published table on a phone');
  const rows = await page.locator('#ranked tbody tr').allInnerTexts();
  assert.equal(rows.length, 1);
  assert.match(rows[0], /100\.00%/);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the page is ${wide}px wider than the phone`);
  await page.goto(`${srv.base}/p/results/${published}/print`);
  assert.equal(await page.locator('#ranked tbody tr').count(), 1);
  assert.equal(await page.locator('figure.qr svg').count(), 1, 'the QR code of the page');
  assert.match(await page.locator('figure.qr figcaption').innerText(), new RegExp(`/p/results/${published}`));
  await ctx.close();
});

test('the office withdraws the list with a reason; the public page then says so', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/orgs/${townId}/results`);
  await page.fill(`#reason-${published}`, '窗口名称有误');
  await Promise.all([page.waitForURL(new RegExp(`/p/results/${published}$`)), page.locator(`form[action="/results/${published}/withdraw"] button`).click()]);
  assert.match(await page.locator('#withdrawn').innerText(), /已撤回.*窗口名称有误/);
  assert.equal(await page.locator('#ranked').count(), 0);
  await axeCheck(page, 'a withdrawn list');
  await ctx.close();
});

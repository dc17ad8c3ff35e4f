// bulletins.test.mjs: a bulletin (通报) in a real Chromium, on this file's own demo database. The
// district office opens its bulletins, composes one from the form (title, quarters, ticked sections
// with a note each, free text), is shown the missing section when it saves with none, saves the
// draft, reads its preview, publishes it (it gets the office's next number and the form to edit is
// gone), opens the A4 print and prints it: every page A4 portrait, the issuing organisation, the
// number and the title on the first. axe-core finds no serious or critical violation on the
// compose page or the bulletin, and the compose page fits a phone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, PASSWORD, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const office = await loginAs(srv.base, 'office');
const rootId = office.user.roles[0].org_id;
const TITLE = '关于第三季度整改落实情况的通报（浏览器测试）';

/** The pages of a PDF made by Chromium: their MediaBox sizes in points. */
function pdfPages(buf) {
  const text = buf.toString('latin1');
  const pages = [...text.matchAll(/\/Type\s*\/Page(?![s\w])[\s\S]*?\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
  return pages.map((m) => ({ w: Number(m[3]) - Number(m[1]), h: Number(m[4]) - Number(m[2]) }));
}

async function signIn(opts = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/login');
  await page.getByLabel('用户名').fill('office');
  await page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/desk$/), page.getByRole('button', { name: '登录' }).click()]);
  return { ctx, page };
}

test('the office composes, publishes and prints a bulletin on A4', async () => {
  const { ctx, page } = await signIn();
  await page.goto(`${srv.base}/orgs/${rootId}/bulletins`);
  await page.getByRole('heading', { name: '拟一份通报' }).waitFor();
  await axeCheck(page, 'the bulletins page with its compose form');
  const form = page.locator('#compose form');
  await form.getByLabel('标题').fill(TITLE);
  await form.getByLabel('起始季度').fill('2026Q3');
  await form.getByLabel('截止季度').fill('2026Q3');
  // nothing ticked: the form comes back with the reason beside it
  await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: '保存草稿' }).click()]);
  await page.getByText('请至少选择一个通报栏目').first().waitFor();
  const again = page.locator('#compose form');
  assert.equal(await again.getByLabel('标题').inputValue(), TITLE, 'the title typed is kept');
  await again.getByRole('checkbox', { name: '逾期未销号的整改事项' }).check();
  await again.getByRole('checkbox', { name: '点名：无正当理由未兑现承诺' }).check();
  await again.getByLabel('“点名：无正当理由未兑现承诺”的说明').fill('以上党员予以点名。');
  await again.getByRole('checkbox', { name: '其他事项' }).check();
  await again.getByLabel('“其他事项”的说明').fill('各单位要对照通报抓好整改。');
  await Promise.all([page.waitForURL(/\/bulletins\/\d+$/), again.getByRole('button', { name: '保存草稿' }).click()]);
  const id = Number(page.url().match(/\/bulletins\/(\d+)$/)[1]);
  await page.getByRole('heading', { name: /逾期未销号的整改事项/ }).waitFor();
  await page.getByText('以上党员予以点名。').first().waitFor();
  assert.ok(await page.getByText('草稿中的数字是按今天的统计数生成的预览').isVisible());
  await axeCheck(page, 'a draft bulletin');
  await Promise.all([page.waitForURL(new RegExp(`/bulletins/${id}$`)), page.getByRole('button', { name: /^印发/ }).click()]);
  const number = (await office.get(`/api/v1/bulletins/${id}`)).json.bulletin.number_text;
  assert.match(number, /〔2026〕\d+号$/);
  await page.getByText(number).first().waitFor();
  assert.equal(await page.locator('#edit').count(), 0, 'a published bulletin has no edit form');
  await page.getByRole('button', { name: '拟更正通报' }).waitFor();
  await Promise.all([page.waitForURL(new RegExp(`/bulletins/${id}/print$`)), page.getByRole('link', { name: 'A4 打印' }).click()]);
  await page.emulateMedia({ media: 'print' });
  const head = await page.evaluate(() => ({
    issuer: document.querySelector('.bulletin-issuer').textContent, number: document.querySelector('.bulletin-number').textContent,
    title: document.querySelector('.bulletin-title').textContent, color: getComputedStyle(document.querySelector('.bulletin-issuer')).color,
    header: getComputedStyle(document.querySelector('header.top')).display,
  }));
  assert.equal(head.issuer, '河西区委');
  assert.equal(head.number, number);
  assert.equal(head.title, TITLE);
  assert.equal(head.color, 'rgb(204, 0, 0)', 'the issuing organisation in red');
  assert.equal(head.header, 'none', 'the site header is not printed');
  const pages = pdfPages(await page.pdf({ preferCSSPageSize: true, printBackground: true }));
  assert.ok(pages.length >= 1);
  for (const p of pages) assert.ok(Math.abs(p.w - 595.3) < 2 && Math.abs(p.h - 841.9) < 2, `A4 portrait, got ${p.w} × ${p.h}`);
  await ctx.close();
});

test('at a phone\'s width the compose page and a published bulletin fit (wide tables scroll in their box)', async () => {
  const { ctx, page } = await signIn({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto(`${srv.base}/orgs/${rootId}/bulletins`);
  await page.getByRole('heading', { name: '拟一份通报' }).waitFor();
  let wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 376, `the compose page is ${wide}px wide at 375`);
  const demo = (await office.get(`/api/v1/orgs/${rootId}/bulletins`)).json.bulletins.find((b) => b.published);
  await page.goto(`${srv.base}/bulletins/${demo.id}`);
  await page.getByText(demo.number_text).first().waitFor();
  wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 376, `the bulletin is ${wide}px wide at 375`);
  await ctx.close();
});

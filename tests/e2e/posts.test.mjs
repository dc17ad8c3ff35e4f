// posts.test.mjs: an exemplary post (党员示范岗) in a real Chromium at a phone's size, on this file's
// own demo database with a round the office opens: a resident scans the QR code of the post's sign
// (decoded here module by module: it must hold the post's rating page), sees the post's public page
// with its holder and duties, answers 满意 to every question, verifies the phone by its SMS code
// and submits; the thanks page leads back to the post; the secretary then opens the post and its
// results and sees the ballot counted with the comment. axe-core runs on the public page, the
// rating form, the secretary's post page and the registry.
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

test('a resident scans a post\'s sign, rates it 满意 with a verified phone; the secretary sees it counted', async () => {
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const camp = (await office.get(`/api/v1/orgs/${root}/campaigns`)).json.campaigns[0];
  const opened = await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' });
  assert.equal(opened.status, 201, opened.text);
  const secretary = await loginAs(srv.base, 'secretary');
  const branch = secretary.user.roles[0].org_id;
  const post = (await secretary.get(`/api/v1/orgs/${branch}/posts`)).json.posts.find((p) => p.kind === 'post');
  assert.ok(post, 'the demo has a post in the first branch');
  const holder = (await secretary.get(`/api/v1/posts/${post.id}`)).json.post.holders[0];

  // the resident's phone: the QR code of the sign, decoded
  const a = await phoneContext();
  const qr = await a.request.get(`${srv.base}/p/post/${post.id}/qr.svg`);
  assert.equal(qr.status(), 200);
  const url = qrDecode(svgModules(await qr.text()));
  assert.equal(url, `${srv.base}/p/rate/window/${post.id}?via=qr`, 'the QR code holds the post\'s rating page');
  const page = await a.newPage();
  // the public page first, as the sign's link shows it
  assert.equal((await page.goto(`${srv.base}/p/post/${post.id}`)).status(), 200);
  assert.equal(await page.locator('h1').first().textContent(), post.name);
  assert.ok((await page.locator('#holders').textContent()).includes(holder.name));
  await axeCheck(page, 'the post\'s public page');
  await narrow(page, 'the post\'s public page');
  assert.equal((await page.goto(url)).status(), 200);
  assert.ok((await page.textContent('main')).includes(post.name));
  const qs = await page.locator('fieldset.question').all();
  assert.equal(qs.length, 6, 'posts are rated on the windows\' six questions');
  await axeCheck(page, 'the post\'s rating form');
  await narrow(page, 'the rating form');
  for (const fs of qs) await fs.getByLabel('满意', { exact: true }).check();
  await page.fill('#comment', '代办社保很及时');
  await page.fill('#phone', '13722223333');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '获取验证码' }).click()]);
  assert.match(await page.locator('[role=status]').first().textContent(), /验证码已发送/);
  await page.fill('#code', await smsCode(srv, '13722223333'));
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name: '提交评价' }).click()]);
  assert.ok((await page.locator('h1').first().textContent()).includes('感谢您的评价'), await page.textContent('main'));
  assert.equal(await page.locator('[data-status]').getAttribute('data-status'), 'counted');
  // the way back leads to the post's public page
  await Promise.all([page.waitForURL(new RegExp(`/p/post/${post.id}$`)), page.getByRole('link', { name: '返回' }).click()]);
  assert.equal(await page.locator('h1').first().textContent(), post.name);
  await a.close();

  // the secretary: the registry, the post, its results
  const s = await phoneContext();
  const sp = await s.newPage();
  await pageLogin(sp, srv.base, 'secretary');
  await sp.goto(`${srv.base}/orgs/${branch}/posts`);
  await axeCheck(sp, 'the registry of posts');
  await Promise.all([sp.waitForURL(new RegExp(`/posts/${post.id}$`)), sp.getByRole('link', { name: post.name }).click()]);
  assert.ok((await sp.locator('#holders').textContent()).includes(holder.name));
  await axeCheck(sp, 'the secretary\'s page of the post');
  assert.match(await sp.locator('#rating-summary').innerText(), /满意率 100\.00%，有效评价 1 份/, 'the post page sums up the round');
  await Promise.all([sp.waitForURL(new RegExp(`/posts/${post.id}/ratings$`)), sp.locator('#ratings-link').click()]);
  assert.equal((await sp.locator('#valid').textContent()).trim(), '1');
  const text = await sp.textContent('main');
  assert.ok(text.includes('代办社保很及时'), 'the comment is shown');
  assert.ok(text.includes('100.00%'), 'all answers 满意');
  await s.close();
});

// news.test.mjs: news items and a consultation (issue 22) in a real Chromium, on this file's own demo
// database. A branch secretary submits a news item with a photo through the page's form; the town
// office adopts and publishes it to the public; a resident reads it on /p/news on a phone (390×844).
// The secretary opens a consultation; the resident comments with a phone verified by its SMS code
// (the form keeps what was typed while the code is sent); the secretary answers it, and the answer
// appears on the public page. axe-core runs on the public pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServerOn, launchChromium, axeCheck, smsCode, pageLogin, daysFromToday, PNG_1x1 } from '../lib.mjs';

const PHONE = { width: 390, height: 844 };
const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

async function context(viewport = { width: 1200, height: 900 }) {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}
const narrow = async (page, what) => {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `${what} is ${w}px wide at a ${PHONE.width}px viewport`);
};

test('a branch submits a news item with a photo; the town office publishes it; a resident reads it and comments on a consultation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxzy-news-'));
  const photo = join(dir, '活动照片.png');
  writeFileSync(photo, PNG_1x1);

  // the secretary: the branch's list and the submission form
  const s = await context();
  const sp = await s.newPage();
  await pageLogin(sp, srv.base, 'secretary');
  const branch = await sp.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user.roles[0].org_id);
  assert.equal((await sp.goto(`${srv.base}/orgs/${branch}/news`)).status(), 200);
  await sp.selectOption('#kind', 'news');
  await sp.fill('#title', '党员志愿者清理河道');
  await sp.fill('#body', '本周六党员志愿者 20 人清理河道垃圾 2 吨。');
  await sp.setInputFiles('#photo', photo);
  await Promise.all([sp.waitForURL(/\/news\/\d+$/), sp.getByRole('button', { name: '报送' }).click()]);
  const id = Number(sp.url().match(/\/news\/(\d+)$/)[1]);
  assert.equal((await sp.locator('#status').textContent()).trim(), '已报送');
  assert.equal(await sp.locator('.evidence img').count(), 1, 'the photo is shown');
  assert.equal(await sp.locator('#decide').count(), 0, 'the branch may not adopt its own item');

  // the town office adopts and publishes it to the public
  const t = await context();
  const tp = await t.newPage();
  await pageLogin(tp, srv.base, 'town');
  assert.equal((await tp.goto(`${srv.base}/news/${id}`)).status(), 200);
  await Promise.all([tp.waitForLoadState('load'), tp.getByRole('button', { name: '采用', exact: true }).click()]);
  assert.equal((await tp.locator('#status').textContent()).trim(), '已采用');
  await tp.selectOption('#visibility', 'public');
  await Promise.all([tp.waitForLoadState('load'), tp.getByRole('button', { name: '发布' }).click()]);
  assert.equal((await tp.locator('#status').textContent()).trim(), '已发布');

  // a resident on a phone
  const r = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  r.setDefaultTimeout(10_000);
  const rp = await r.newPage();
  assert.equal((await rp.goto(`${srv.base}/p/news`)).status(), 200);
  await rp.getByRole('link', { name: '党员志愿者清理河道' }).click();
  await rp.waitForURL(new RegExp(`/p/news/${id}$`));
  assert.ok((await rp.locator('#body').textContent()).includes('清理河道垃圾 2 吨'));
  assert.ok(await rp.locator('.evidence img').evaluate((img) => img.complete && img.naturalWidth > 0), 'the public photo loads');
  await axeCheck(rp, 'a public news item');
  await narrow(rp, 'a public news item');

  // a consultation by the secretary, a comment by the resident, an answer
  assert.equal((await sp.goto(`${srv.base}/orgs/${branch}/consultations`)).status(), 200);
  await sp.fill('#title', '关于村卫生室开放时间的征询');
  await sp.fill('#body', '拟调整村卫生室开放时间，请提意见。');
  await sp.fill('#closes_on', daysFromToday(7));
  await Promise.all([sp.waitForURL(/\/consultations\/\d+$/), sp.getByRole('button', { name: '发起' }).click()]);
  const cid = Number(sp.url().match(/\/consultations\/(\d+)$/)[1]);

  assert.equal((await rp.goto(`${srv.base}/p/consultations/${cid}`)).status(), 200);
  await axeCheck(rp, 'a consultation\'s public page');
  await narrow(rp, 'a consultation\'s public page');
  await rp.fill('#text', '希望周六上午也能开放。');
  await rp.fill('#phone', '13755556666');
  await Promise.all([rp.waitForLoadState('load'), rp.getByRole('button', { name: '获取验证码' }).click()]);
  assert.match(await rp.locator('[role=status]').first().textContent(), /验证码已发送/);
  assert.equal(await rp.inputValue('#text'), '希望周六上午也能开放。', 'the form keeps what was typed');
  await rp.fill('#code', await smsCode(srv, '13755556666'));
  await Promise.all([rp.waitForURL(new RegExp(`/p/consultations/${cid}\\?done=1$`)), rp.getByRole('button', { name: '提交意见' }).click()]);
  assert.match(await rp.locator('[role=status]').first().textContent(), /意见已收到/);

  assert.equal((await sp.goto(`${srv.base}/consultations/${cid}`)).status(), 200);
  const comment = sp.locator('ol.comments li').first();
  assert.ok((await comment.textContent()).includes('希望周六上午也能开放。'));
  await comment.locator('textarea').fill('已采纳，周六上午 8:00—11:30 开放。');
  await Promise.all([sp.waitForLoadState('load'), comment.getByRole('button', { name: '答复' }).click()]);
  assert.equal((await rp.goto(`${srv.base}/p/consultations/${cid}`)).status(), 200);
  assert.ok((await rp.locator('#answers').textContent()).includes('已采纳，周六上午 8:00—11:30 开放。'));
  await Promise.all([s.close(), t.close(), r.close()]);
});

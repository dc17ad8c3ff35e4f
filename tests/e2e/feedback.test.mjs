// feedback.test.mjs: the complaint path in a real Chromium, on this file's own demo database. A
// resident with a phone (390×844, no login) opens a service window's public page — the page
// behind its QR code — follows “意见建议/投诉”, files a complaint with a photo and gets the
// tracking code; the district office (its own browser) classifies the complaint and assigns it
// to the town above the branch in one submit (a 投诉 about the branch's window never goes to the
// branch), and merges a second resident's complaint into it by picking it from a list; the
// town's office replies and publishes the reply; the resident types the
// code in and reads the reply. The member card and the board link to the form too. axe-core
// runs on every public page of the path (serious/critical fail).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, PASSWORD, PNG_1x1, launchChromium, axeCheck, loginAs } from '../lib.mjs';

const PHONE = { width: 390, height: 844 };
const srv = await startServerOn();
const sec = await loginAs(srv.base, 'secretary');
const branch = sec.user.roles[0].org_id;
const townId = (await sec.get(`/api/v1/orgs/${branch}`)).json.org.parent_id;
const win = (await sec.post(`/api/v1/orgs/${branch}/windows`, { name: '曾营村便民服务窗口', location: '村委会一楼' })).json.window;
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

async function phone() {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  return { ctx, page: await ctx.newPage() };
}
async function loggedIn(username) {
  const c = await phone();
  await c.page.goto(srv.base + '/login');
  await c.page.fill('#username', username);
  await c.page.fill('#password', PASSWORD);
  await Promise.all([c.page.waitForNavigation(), c.page.click('button[type=submit]')]);
  assert.ok(!/\/login/.test(new URL(c.page.url()).pathname), `${username} is logged in`);
  return c;
}
async function fitsPhone(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `${what}: the page is ${w}px wide at a ${PHONE.width}px viewport`);
}
async function noAlert(page, what) {
  assert.deepEqual(await page.locator('[role=alert]').allTextContents(), [], `${what} gave an error`);
}

test('a resident\'s complaint at a service window, answered by the town above the branch, read with the tracking code', async () => {
  const text = '窗口中午十二点就停止办理业务，我排队一个小时没办成。';
  const reply = '经核实，窗口已安排午间轮班，中午正常办理业务。感谢您的监督！';

  // the resident scans the window's QR code: its public page, then the complaint form
  const r = await phone();
  assert.equal((await r.page.goto(`${srv.base}/p/window/${win.id}`)).status(), 200);
  await Promise.all([r.page.waitForURL(new RegExp(`/p/feedback/window/${win.id}$`)), r.page.getByRole('link', { name: '意见建议/投诉' }).click()]);
  await r.page.getByText(win.name).first().waitFor();
  await fitsPhone(r.page, 'the complaint form');
  await axeCheck(r.page, 'the complaint form');
  await r.page.getByLabel('投诉').check();
  await r.page.fill('#text', text);
  await r.page.setInputFiles('#evidence', { name: '排队.png', mimeType: 'image/png', buffer: PNG_1x1 });
  await r.page.fill('#name', '赵大爷');
  await r.page.fill('#contact', '13912345678');
  await r.page.getByRole('button', { name: '提交' }).click();
  await r.page.locator('#tracking-code').waitFor();
  await noAlert(r.page, 'submitting the complaint');
  const code = (await r.page.textContent('#tracking-code')).trim();
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}-[0-9A-HJKMNP-TV-Z]$/);
  assert.equal(await r.page.inputValue('#code-copy'), code, 'the code is there to copy');
  assert.match(await r.page.textContent('body'), /只显示这一次/);
  await fitsPhone(r.page, 'the page with the code');
  await axeCheck(r.page, 'the page with the code');

  // the district office triages: category, then assigned to the town (the level above the branch)
  const o = await loggedIn('office');
  await o.page.getByRole('link', { name: '意见建议' }).first().click();
  await o.page.waitForURL(/\/orgs\/\d+\/feedback/);
  await Promise.all([o.page.waitForURL(/view=new/), o.page.getByRole('link', { name: /待分办/ }).click()]);
  await Promise.all([o.page.waitForURL(/\/feedback\/\d+$/), o.page.getByRole('link', { name: /窗口中午十二点就停止办理业务/ }).click()]);
  const itemUrl = o.page.url();
  assert.match(await o.page.textContent('main'), /赵\*\*/, 'the sender is masked');
  assert.doesNotMatch(await o.page.textContent('main'), /赵大爷|13912345678/);
  assert.equal(await o.page.locator('.evidence img').count(), 1, 'the photo is attached');
  // classify and assign in one submit
  assert.equal(await o.page.getByRole('button', { name: '保存分类' }).count(), 0, 'one form, not two');
  await o.page.selectOption('#category_id', { label: '办事效率' });
  assert.ok(!(await o.page.locator('#org_id option').evaluateAll((os) => os.map((x) => x.value))).includes(String(branch)),
    'never offered to the branch it is about');
  await o.page.selectOption('#org_id', String(townId));
  await o.page.fill('#note', '核实窗口午间值班');
  await Promise.all([o.page.waitForURL(itemUrl), o.page.getByRole('button', { name: '分类并交办' }).click()]);
  await noAlert(o.page, 'classifying and assigning');
  assert.match(await o.page.textContent('h1'), /办理中/);
  assert.match(await o.page.textContent('main'), /办事效率/);
  assert.match(await o.page.textContent('.timeline'), /分类[\s\S]*交办/, 'both steps in the history');
  const id = itemUrl.split('/').pop();

  // the same complaint again, by another resident: merged by picking the first from the list
  const dupText = '窗口中午不办事，白跑一趟。';
  const dup = await new Client(srv.base).post('/api/v1/public/feedback', { kind: 'complaint', text: dupText, about_kind: 'window', about_id: win.id });
  assert.equal(dup.status, 201, dup.text);
  await o.page.goto(`${srv.base}/orgs/${townId}/feedback?view=new`);
  await Promise.all([o.page.waitForURL(/\/feedback\/\d+$/), o.page.getByRole('link', { name: /白跑一趟/ }).click()]);
  const dupUrl = o.page.url();
  const pick = o.page.locator('#merge-form li').filter({ hasText: '窗口中午十二点就停止办理业务' });
  assert.equal(await pick.count(), 1, 'the first complaint is offered');
  await fitsPhone(o.page, 'the list of items to merge into');
  await axeCheck(o.page, 'the triage forms');
  assert.match(await pick.textContent(), /同一反映对象/);
  assert.match(await pick.textContent(), /办理中/, 'with its tracking status');
  await pick.getByRole('radio').check();
  await Promise.all([o.page.waitForURL(dupUrl), o.page.getByRole('button', { name: '合并到选定的事项' }).click()]);
  await noAlert(o.page, 'merging');
  assert.match(await o.page.textContent('h1'), /已合并/);
  assert.equal(await o.page.locator(`a[href="/feedback/${id}"]`).count(), 1, 'it links to the item kept');
  await fitsPhone(o.page, 'the merged item');

  // the town's office replies and publishes the reply
  const s = await loggedIn('town');
  await s.page.goto(`${srv.base}/orgs/${townId}/feedback?view=open`);
  await Promise.all([s.page.waitForURL(new RegExp(`/feedback/${id}$`)), s.page.getByRole('link', { name: /窗口中午十二点/ }).click()]);
  await s.page.fill('#reply', reply);
  await s.page.getByLabel('匿名公开这条答复').check();
  await s.page.fill('#summary', '群众反映便民服务窗口中午停办业务。');
  await Promise.all([s.page.waitForURL(new RegExp(`/feedback/${id}$`)), s.page.getByRole('button', { name: '提交答复' }).click()]);
  await noAlert(s.page, 'replying');
  assert.match(await s.page.textContent('h1'), /已答复/);
  await fitsPhone(s.page, 'the item page');

  // the resident reads the reply with the code (typed in lower case, as a phone keyboard may)
  await r.page.goto(`${srv.base}/p/track`);
  await axeCheck(r.page, 'the tracking page');
  await r.page.fill('#code', code.toLowerCase());
  await r.page.getByRole('button', { name: '查询' }).click();
  await r.page.locator('#track-reply').waitFor();
  assert.equal((await r.page.textContent('#track-status')).trim(), '已答复');
  assert.equal((await r.page.textContent('#track-reply')).trim(), reply);
  const shown = await r.page.textContent('main');
  assert.ok(!/办事效率|secretary|支部书记|赵/.test(shown.replace(/投诉/g, '')), 'no internal detail or name on the tracking page');
  await fitsPhone(r.page, 'the tracking result');
  await axeCheck(r.page, 'the tracking result');

  // the published, anonymised reply
  await r.page.goto(`${srv.base}/p/replies`);
  assert.match(await r.page.textContent('main'), /午间轮班/);
  assert.doesNotMatch(await r.page.textContent('main'), /赵大爷|13912345678/);
  await axeCheck(r.page, 'the published replies');

  // the member card and the board lead to the form too
  const memberId = (await sec.get(`/api/v1/orgs/${branch}/members?per_page=1`)).json.members[0].id;
  await r.page.goto(`${srv.base}/p/card/${memberId}`);
  await Promise.all([r.page.waitForURL(new RegExp(`/p/feedback/member/${memberId}$`)), r.page.getByRole('link', { name: '意见建议/投诉' }).click()]);
  assert.equal(await r.page.getByLabel('举报').count(), 1, 'a member may be reported from the card');
  await axeCheck(r.page, 'the form from a member card');
  await r.page.goto(`${srv.base}/p/board/${branch}`);
  await Promise.all([r.page.waitForURL(new RegExp(`/p/feedback/org/${branch}$`)), r.page.getByRole('link', { name: '意见建议/投诉' }).click()]);
  await Promise.all([r.ctx.close(), o.ctx.close(), s.ctx.close()]);
});

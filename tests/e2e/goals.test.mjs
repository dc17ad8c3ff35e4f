// goals.test.mjs: annual goals (年初工作目标, issue 22) in a real Chromium, on this file's own demo
// database. A branch secretary writes a goal through the page's form (a bad year comes back with the
// reason beside the form and what was typed kept), submits it and cannot accept it; the town office
// accepts it from its page; the secretary records progress on a phone-sized screen and the goal's
// page shows it. axe-core runs on the goal's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, launchChromium, axeCheck, pageLogin } from '../lib.mjs';

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

test('a branch writes and submits a goal; the town accepts it; progress shows on the goal', async () => {
  const s = await context(PHONE);
  const sp = await s.newPage();
  await pageLogin(sp, srv.base, 'secretary');
  const branch = await sp.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user.roles[0].org_id);
  assert.equal((await sp.goto(`${srv.base}/orgs/${branch}/goals`)).status(), 200);
  // a careless year: refused beside the form, the title kept
  await sp.fill('#year', '二〇二六');
  await sp.fill('#title', '支部党员“五带头”全部达标');
  await Promise.all([sp.waitForLoadState('load'), sp.getByRole('button', { name: '保存为草稿' }).click()]);
  assert.match(await sp.locator('#new .alert').textContent(), /年度/);
  assert.equal(await sp.locator('#title').inputValue(), '支部党员“五带头”全部达标');
  await sp.fill('#year', String(new Date().getFullYear()));
  await sp.fill('#measure', '每季度对照检查一次。');
  await Promise.all([sp.waitForURL(/\/goals\/\d+$/), sp.getByRole('button', { name: '保存为草稿' }).click()]);
  const id = Number(sp.url().match(/\/goals\/(\d+)$/)[1]);
  assert.equal((await sp.locator('#status').textContent()).trim(), '草稿');
  await Promise.all([sp.waitForLoadState('load'), sp.getByRole('button', { name: '报送上级验收' }).click()]);
  assert.equal((await sp.locator('#status').textContent()).trim(), '待验收');
  assert.equal(await sp.locator('#decide').count(), 0, 'the branch may not accept its own goal');
  assert.equal(await sp.locator('#progress-form').count(), 0, 'no progress before acceptance');

  // the town office accepts it
  const t = await context();
  const tp = await t.newPage();
  await pageLogin(tp, srv.base, 'town');
  assert.equal((await tp.goto(`${srv.base}/goals/${id}`)).status(), 200);
  await Promise.all([tp.waitForLoadState('load'), tp.getByRole('button', { name: '验收', exact: true }).click()]);
  assert.equal((await tp.locator('#status').textContent()).trim(), '已验收');
  assert.match(await tp.locator('#versions').textContent(), /第 1 版/);

  // the secretary records progress on the phone
  await sp.goto(`${srv.base}/goals/${id}`);
  await sp.fill('#percent', '40');
  await sp.fill('#text', '上半年完成四个党小组的对照检查');
  await Promise.all([sp.waitForLoadState('load'), sp.getByRole('button', { name: '记录' }).click()]);
  assert.equal((await sp.locator('#progress').textContent()).trim(), '40%');
  assert.match(await sp.locator('#entries').textContent(), /上半年完成四个党小组的对照检查/);
  const w = await sp.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `the goal's page is ${w}px wide on a phone`);
  await axeCheck(sp, 'the goal page');
  await s.close();
  await t.close();
});

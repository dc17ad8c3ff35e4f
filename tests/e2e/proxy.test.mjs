// proxy.test.mjs: the secretary keys in one paper peer-review sheet (民主测评表) of the branch on the
// matrix page, in a real Chromium, on this file's own demo database: the town office has opened a
// round (over the API); the `secretary` opens 录入纸质民主测评表, sees every member of the branch as
// a row and the standard's items as columns, leaves a cell of one row blank and is told which
// (nothing saved), fills it and saves sheet 1; the page counts one sheet, and keying sheet 1 again
// still counts one. axe-core runs on the page (serious/critical fail).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, PASSWORD, loginAs, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';

const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

test('the secretary keys in one paper sheet on the matrix page', async () => {
  const [town, secretary] = await Promise.all([loginAs(srv.base, 'town'), loginAs(srv.base, 'secretary')]);
  const townId = town.user.roles[0].org_id, branch = secretary.user.roles[0].org_id;
  const campaign = (await town.get(`/api/v1/orgs/${townId}/campaigns`)).json.campaigns[0];
  const rr = await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '纸质测评录入', start_date: daysFromToday(-100), end_date: daysFromToday(-5) });
  assert.equal(rr.status, 201, rr.text);
  const R = rr.json.round;
  const members = (await secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`)).json.members.filter((m) => m.active !== false);

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/login');
  await page.fill('#username', 'secretary');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.goto(`${srv.base}/orgs/${branch}/peer-matrix?round_id=${R.id}`);
  assert.match(await page.locator('h1').innerText(), /录入纸质民主测评表/);
  assert.match(await page.locator('#sheet-count').innerText(), /已录入纸质民主测评表\s*0\s*张/);
  const rows = page.locator('#peer-matrix tbody tr');
  assert.equal(await rows.count(), members.length, 'one row per member of the branch');
  const cols = await page.locator('#peer-matrix thead th').count() - 1;
  assert.equal(cols, 5, 'the member standard\'s five items');
  assert.equal(await page.inputValue('#sheet_no'), '1');
  await axeCheck(page, 'the peer matrix page');

  // the first two members as on the paper sheet; the second row's third item is left blank
  const [m1, m2] = members;
  for (let i = 1; i <= cols; i++) await page.selectOption(`#lv_${m1.id}_${i}`, '1');
  for (let i = 1; i <= cols; i++) if (i !== 3) await page.selectOption(`#lv_${m2.id}_${i}`, '2');
  await page.getByRole('button', { name: '保存这张测评表' }).click();
  await page.waitForLoadState();
  const bad = page.locator(`#lv_${m2.id}_3`);
  assert.equal(await bad.getAttribute('aria-invalid'), 'true', 'the blank cell is marked');
  assert.match(await page.locator('body').innerText(), new RegExp(`${m2.name}：评议等次第 3 项不是有效的选项`));
  assert.match(await page.locator('#sheet-count').innerText(), /0\s*张/, 'nothing was saved');
  assert.equal(await page.inputValue(`#lv_${m1.id}_1`), '1', 'what was typed is still there');

  await page.selectOption(`#lv_${m2.id}_3`, '3');
  await Promise.all([page.waitForURL(/peer-matrix\?round_id=\d+&mode=sheet$/), page.getByRole('button', { name: '保存这张测评表' }).click()]);
  assert.match(await page.locator('#sheet-count').innerText(), /已录入纸质民主测评表\s*1\s*张/);
  assert.equal(await page.inputValue('#sheet_no'), '2', 'the next sheet number is offered');

  // keying sheet 1 again replaces it: still one sheet
  await page.goto(`${srv.base}/orgs/${branch}/peer-matrix?round_id=${R.id}&sheet_no=1`);
  assert.equal(await page.inputValue(`#lv_${m2.id}_3`), '3', 'the sheet as keyed in');
  await page.selectOption(`#lv_${m2.id}_3`, '1');
  await Promise.all([page.waitForURL(/mode=sheet$/), page.getByRole('button', { name: '保存这张测评表' }).click()]);
  assert.match(await page.locator('#sheet-count').innerText(), /1\s*张/);
  const view = (await secretary.get(`/api/v1/members/${m2.id}/review?round_id=${R.id}`)).json;
  assert.equal(view.peer.count, 1, 'the member has one peer review from the sheets');
  await ctx.close();
});

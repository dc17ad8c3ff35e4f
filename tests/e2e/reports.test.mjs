// reports.test.mjs: a scheduled report (定期汇报) in a real Chromium, on this file's own demo
// database. The town office sets a schedule with a two-section outline over its branches
// (through the API); the branch secretary, on a phone-sized page, opens the report, fills both
// sections and submits it; the town office returns it with a comment on its page; the secretary
// sees the comment, rewrites a section and submits again; the history shows both versions and
// the events in order. Nothing sticks out sideways on the phone, and axe-core finds no serious or
// critical violation on the report's page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, launchChromium, pageLogin, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}
const town = await loginAs(srv.base, 'town');
const secretary = await loginAs(srv.base, 'secretary');
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const TITLE = '浏览器测试：第四季度季度检查';
const schedule = (await ok(await town.post(`/api/v1/orgs/${townId}/report-schedules`, { kind: 'quarterly', title: TITLE, for_types: 'branch',
  period_start: '2026-10-01', period_end: '2026-12-31', due_workdays: '10', outline: ['开展活动情况', '存在问题'] }), 201)).schedule;
const report = (await ok(await town.get(`/api/v1/report-schedules/${schedule.id}?per_page=500`))).reports.find((r) => r.org_id === branch);

async function as(username, opts = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, username);
  return { ctx, page };
}
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test('a secretary writes and submits on a phone; the town returns it; resubmitted; both versions kept', async () => {
  const sec = await as('secretary', PHONE);
  await sec.page.goto(`${srv.base}/reports/${report.id}`);
  await sec.page.locator('h1', { hasText: TITLE }).waitFor();
  assert.ok(await sideways(sec.page) <= 0, 'the report page fits the phone');
  await axeCheck(sec.page, 'the report page');
  await sec.page.getByLabel('1. 开展活动情况').fill('本季度开展主题党日三次，党员全部参加。');
  await sec.page.getByLabel('2. 存在问题').fill('践诺台账不全。');
  await Promise.all([sec.page.waitForURL(new RegExp(`/reports/${report.id}$`)), sec.page.getByRole('button', { name: '报送上级' }).click()]);
  await sec.page.locator('h1 .tag', { hasText: '已报送待审阅' }).waitFor();
  assert.equal(await sec.page.getByRole('button', { name: '报送上级' }).count(), 0, 'nothing to write while it waits');

  const t = await as('town');
  await t.page.goto(`${srv.base}/reports/${report.id}`);
  await t.page.locator('#latest', { hasText: '践诺台账不全。' }).waitFor();
  await t.page.getByLabel('退回意见').fill('请写明台账不全的原因和补齐时限。');
  await Promise.all([t.page.waitForURL(new RegExp(`/reports/${report.id}$`)), t.page.getByRole('button', { name: '退回重报' }).click()]);
  await t.page.locator('h1 .tag', { hasText: '已退回待重报' }).waitFor();

  await sec.page.reload();
  await sec.page.locator('#return-comment', { hasText: '请写明台账不全的原因和补齐时限。' }).waitFor();
  assert.equal(await sec.page.getByLabel('1. 开展活动情况').inputValue(), '本季度开展主题党日三次，党员全部参加。', 'the draft is kept');
  await sec.page.getByLabel('2. 存在问题').fill('践诺台账不全，原因是支部检查不经常；12 月底前补齐。');
  await Promise.all([sec.page.waitForURL(new RegExp(`/reports/${report.id}$`)), sec.page.getByRole('button', { name: '报送上级' }).click()]);
  await sec.page.locator('h1 .tag', { hasText: '已报送待审阅' }).waitFor();
  const versions = sec.page.locator('#versions details');
  assert.equal(await versions.count(), 2, 'both versions are listed');
  await versions.nth(0).locator('summary').click();
  await versions.nth(0).getByText('践诺台账不全。', { exact: true }).waitFor();
  await versions.nth(1).locator('summary').click();
  await versions.nth(1).getByText('践诺台账不全，原因是支部检查不经常；12 月底前补齐。').waitFor();
  const events = await sec.page.locator('#history li .meta').allInnerTexts();
  assert.deepEqual(events.map((e) => e.split(' · ')[1]), ['报送', '退回', '报送']);
  assert.ok(await sideways(sec.page) <= 0, 'the history fits the phone');
  // the print page is one A4 sheet of the latest version
  await sec.page.goto(`${srv.base}/reports/${report.id}/print`);
  await sec.page.locator('.print-sheet', { hasText: '12 月底前补齐' }).waitFor();
  assert.equal(await sec.page.locator('.report-sheet h1').evaluate((h) => getComputedStyle(h).textAlign), 'center', 'the print style is loaded');
  await Promise.all([sec.ctx.close(), t.ctx.close()]);
});

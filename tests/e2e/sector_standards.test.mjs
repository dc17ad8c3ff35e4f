// sector_standards.test.mjs: standards and indicators by sector in a real Chromium, on this file's
// own demo database. The district office opens the campaign's standards page from the settings,
// sees 四强/四优 for 国有企业 and 四比四争 for 非公有制经济组织, breaks 四优 into new indicators with
// points on the page — the demo round has started with it, so the page shows a second version and
// the first marked as replaced — and the demo round's review form of a state-owned enterprise's
// member still lists the first version's indicators with their points. The town office reads the
// page without any form. axe-core finds no serious or critical violation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const office = await loginAs(srv.base, 'office');
const rootId = office.user.roles[0].org_id;
const campaign = (await office.get(`/api/v1/orgs/${rootId}/campaigns`)).json.campaigns.at(-1);
const sets = (await office.get(`/api/v1/campaigns/${campaign.id}/sector-standards`)).json.sets;
const siyou = sets.find((s) => s.code === 'hx_siyou');

/** A member of the first state-owned enterprise branch with members. */
async function soeMember() {
  const queue = (await office.get(`/api/v1/orgs/${rootId}`)).json.children.filter((c) => c.sector === 'soe');
  while (queue.length) {
    const o = queue.shift();
    if (o.type === 'branch' && o.members > 0) return (await office.get(`/api/v1/orgs/${o.id}/members?per_page=1`)).json.members[0];
    if (o.children) queue.push(...(await office.get(`/api/v1/orgs/${o.id}`)).json.children);
  }
  throw new Error('no state-owned enterprise branch with members');
}

test('the office edits 四优\'s indicators on the page; the started round keeps the first version on its forms', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'office');
  await page.goto(`${srv.base}/campaigns/${campaign.id}`);
  await Promise.all([page.waitForURL(/\/standards$/), page.getByRole('link', { name: '分领域评议标准、指标和分值' }).click()]);
  await axeCheck(page, 'the standards page of the office');
  const rules = await page.locator('#rules tbody tr').allInnerTexts();
  assert.ok(rules.some((t) => /国有企业/.test(t) && /四强党组织/.test(t)), rules.join('\n'));
  assert.ok(rules.some((t) => /非公有制经济组织/.test(t) && /四比四争/.test(t)), rules.join('\n'));
  const box = page.locator(`details[data-set="${siyou.id}"]`);
  await box.locator('textarea[name="indicators_text"]').fill('1|参加政治学习|10\n2|取得岗位技能等级|30\n3|完成岗位绩效指标|40\n4|职工群众评议满意|20');
  await Promise.all([page.waitForURL(/\/standards$/), box.getByRole('button', { name: '保存指标' }).click()]);
  const old = page.locator(`details[data-set="${siyou.id}"] summary`);
  assert.match(await old.innerText(), /第 1 版.*已有新版本/s);
  const v2 = page.locator('details.std-set', { hasText: '四优共产党员' }).filter({ hasText: '第 2 版' });
  assert.equal(await v2.count(), 1, 'the second version is listed');
  assert.match(await v2.innerText(), /完成岗位绩效指标（40 分）/);
  const soeRule = await page.locator('#rules tbody tr[data-sector="soe"][data-target="member"]').innerText();
  assert.match(soeRule, /第 2 版/);
  await axeCheck(page, 'the standards page after the edit');
  // the demo round started with version 1: the member's form keeps its indicators and points
  const m = await soeMember();
  await page.goto(`${srv.base}/members/${m.id}/review`);
  const form = await page.locator('form[action$="/review"]').first().innerText();
  assert.match(form, /取得岗位技能等级或技术成果（25 分）/);
  assert.match(form, /完成岗位绩效指标（30 分）/);
  await axeCheck(page, 'the review form on 四优 indicators');
  await ctx.close();
});

test('the town office reads the district\'s standards without any form', async () => {
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'town');
  await page.goto(`${srv.base}/campaigns/${campaign.id}/standards`);
  assert.match(await page.locator('#sets').innerText(), /四优共产党员/);
  assert.equal(await page.locator('main form[method="post"]').count(), 0);
  await axeCheck(page, 'the standards page of a lower level');
  await ctx.close();
});

// awards.test.mjs: 评选表彰 in a real Chromium on this file's own demo database: the district
// office sets up an award (优秀共产党员, rule no_pledge_miss, quota 2) and opens it; the first
// branch's secretary, on a phone, picks a member, writes the reason and nominates, and sees the
// frozen evidence; the office closes nominating, records the vote on the page (5 of 9 for: more
// than half, passed), puts it to 公示 (approval waits), and once the period has run out approves;
// the member's public card then lists the honour. axe-core runs on
// the list, the award page (the secretary's and the office's) and the card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, launchChromium, axeCheck, pageLogin, sqlOn, daysFromToday } from '../lib.mjs';

const PHONE = { width: 390, height: 844 };
const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

test('a secretary nominates on a phone; the office votes and approves; the card shows the honour', async () => {
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const secretary = await loginAs(srv.base, 'secretary');
  const branch = secretary.user.roles[0].org_id;
  const year = String(new Date().getFullYear());
  const k = (await office.post(`/api/v1/orgs/${root}/awards`, { name: '优秀共产党员（测试）', subject: 'member', year, quota: '2' })).json.award;
  assert.equal((await office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'no_pledge_miss' })).status, 201);
  assert.equal((await office.post(`/api/v1/awards/${k.id}/open`, {})).status, 200);
  const member = (await secretary.get(`/api/v1/orgs/${branch}/members?per_page=5`)).json.members[3];

  // the secretary's phone
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'secretary');
  await page.goto(`${srv.base}/orgs/${branch}/awards`);
  await axeCheck(page, 'the list of awards');
  await Promise.all([page.waitForURL(new RegExp(`/awards/${k.id}$`)), page.getByRole('link', { name: `${year} 年度 ${k.name}` }).click()]);
  await page.selectOption('#subject_id', String(member.id));
  await page.fill('#reason', '带头兑现承诺，群众评价好');
  await axeCheck(page, 'the nomination form');
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `the award page is ${w}px wide on a phone`);
  await Promise.all([page.waitForNavigation(), page.click('#nominate-submit')]);
  const card = page.locator('#nominations article').first();
  assert.ok((await card.textContent()).includes(member.name));
  assert.match(await card.textContent(), /✔ 符合：年度承诺无无故未兑现/);
  await ctx.close();

  // the office, on a desktop
  const oc = await browser.newContext({ locale: 'zh-CN' });
  const op = await oc.newPage();
  await pageLogin(op, srv.base, 'office');
  await op.goto(`${srv.base}/awards/${k.id}`);
  await Promise.all([op.waitForNavigation(), op.click('#close')]);
  assert.equal((await op.locator('#status').textContent()).trim(), '评审中');
  const art = op.locator('#nominations article').first();
  await art.getByLabel('应到会有表决权人数').fill('9');
  await art.getByLabel('赞成').fill('5');
  await art.getByLabel('反对').fill('3');
  await art.getByLabel('弃权').fill('1');
  await art.getByLabel('备注（会议名称等）').fill('区委常委会议');
  await axeCheck(op, 'the award page with the vote form');
  await Promise.all([op.waitForNavigation(), art.getByRole('button', { name: '记录表决' }).click()]);
  const voted = op.locator('#nominations article').first();
  assert.match(await voted.textContent(), /应到 9 人，赞成 5，反对 3，弃权 1 — 通过/);
  assert.equal(await voted.getByRole('button', { name: '批准表彰' }).count(), 0, 'no approval before 公示');
  await op.fill('#workdays', '5');
  await Promise.all([op.waitForNavigation(), op.click('#notice')]);
  const noticed = op.locator('#nominations article').first();
  assert.match(await noticed.locator('.notice-state').textContent(), /公示：公示中（公示期至 \d{4}-\d{2}-\d{2}）/);
  assert.equal(await noticed.getByRole('button', { name: '批准表彰' }).count(), 0, 'no approval during 公示');
  await axeCheck(op, 'the award page during 公示');
  const noticeId = (await noticed.locator('.notice-state a').getAttribute('href')).split('/').pop();
  sqlOn(srv.db, `UPDATE notice SET end_date = '${daysFromToday(-1)}' WHERE id = ${noticeId}`); // the period has run out
  await op.reload();
  const cleared = op.locator('#nominations article').first();
  assert.match(await cleared.locator('.notice-state').textContent(), /公示无异议/);
  await Promise.all([op.waitForNavigation(), cleared.getByRole('button', { name: '批准表彰' }).click()]);
  assert.match(await op.locator('#nominations article').first().textContent(), /已批准表彰/);
  await oc.close();

  // the public card
  const pc = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true });
  const pp = await pc.newPage();
  assert.equal((await pp.goto(`${srv.base}/p/card/${member.id}`)).status(), 200);
  assert.match(await pp.locator('#honours').textContent(), new RegExp(`${year} 年度 优秀共产党员（测试）`));
  await axeCheck(pp, 'the card with an honour');
  await pc.close();
});

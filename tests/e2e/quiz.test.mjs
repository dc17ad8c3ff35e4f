// quiz.test.mjs: a quiz answered on a phone in a real Chromium, on this file's own demo database.
// The district office assigns a quiz of three questions from its bank (a single choice, a multiple
// choice, a true/false) to the first town; the demo's member opens it from 我的学习测试 on a
// phone-sized page, sees the questions with no correct answer anywhere in the page, ticks the
// answers and submits once: the page then says it was submitted and shows neither a score nor the
// answers. Once the office closes it, the same page shows the score, the member's own choices and
// the correct answers with their explanation. Nothing sticks out sideways; axe-core finds no serious
// or critical violation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, pageLogin, launchChromium, axeCheck } from '../lib.mjs';

const [srv, browser] = await Promise.all([startServerOn(), launchChromium()]);
after(() => Promise.all([browser.close(), srv.stop()]));
const [office, town] = await Promise.all(['office', 'town'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

test('a member answers a quiz on a phone and sees the score and the answers only after it closes', async () => {
  const bank = (await ok(await office.get(`/api/v1/orgs/${rootId}/question-bank`))).questions;
  const picks = ['single', 'multiple', 'truefalse'].map((t) => bank.find((q) => q.type === t));
  assert.ok(picks.every(Boolean), 'the demo bank has each type');
  const now = Math.floor(Date.now() / 1000);
  const quiz = (await ok(await office.post(`/api/v1/orgs/${rootId}/quizzes`, { title: '手机答题测试', scope_org_id: String(townId),
    opens_at: String(now - 60), closes_at: String(now + 3600), pass_mark: '60', question_ids: picks.map((q) => q.id).join(',') }), 201)).quiz;

  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'member');
  await page.goto(`${srv.base}/me/quizzes`);
  await Promise.all([page.waitForURL(new RegExp(`/quizzes/${quiz.id}$`)), page.getByRole('link', { name: '手机答题测试' }).click()]);
  assert.equal(await page.locator('#answer-form fieldset.question').count(), 3);
  const html = await page.content();
  for (const q of picks) if (q.explanation) assert.ok(!html.includes(q.explanation), 'no explanation before closing');
  assert.doesNotMatch(html, /正确答案|✔/, 'no correct answer in the page before closing');
  await axeCheck(page, 'the quiz on a phone');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(wide <= 0, `the page is ${wide}px wider than the phone`);
  // right on the single choice and the true/false; on the multiple choice one option short
  const chosen = [picks[0].answer, picks[1].answer.slice(0, -1), picks[2].answer];
  for (let i = 0; i < 3; i++)
    for (const l of chosen[i]) await page.locator(`#q${i + 1} input[value="${l}"]`).check();
  await Promise.all([page.waitForURL(new RegExp(`/quizzes/${quiz.id}$`)), page.getByRole('button', { name: '提交答卷' }).click()]);
  assert.match(await page.locator('#submitted').innerText(), /成绩和正确答案在测试截止后公布/);
  assert.equal(await page.locator('#score').count(), 0, 'no score before closing');
  assert.equal(await page.locator('#answer-form').count(), 0, 'answered once');
  assert.doesNotMatch(await page.content(), /正确答案 [A-H]|✔/, 'no answer after submitting either');

  await ok(await office.post(`/api/v1/quizzes/${quiz.id}/close`, {}));
  await page.reload();
  assert.match(await page.locator('#score').innerText(), /得分 67 分（答对 2 题） · 及格/);
  const review = await page.locator('#review').innerText();
  assert.match(review, new RegExp(`正确答案 ${picks[1].answer} · 我的答案 ${chosen[1]} ✘`));
  assert.match(review, new RegExp(`正确答案 ${picks[0].answer} · 我的答案 ${picks[0].answer} ✔`));
  await axeCheck(page, 'the closed quiz with the answers');
  await ctx.close();
});

test('the office imports a bank on the page (a bad file reported row by row), assigns a quiz with the form; a member writes a study note', async () => {
  const { writeFileSync } = await import('node:fs');
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await pageLogin(page, srv.base, 'office');
  await page.goto(`${srv.base}/orgs/${rootId}/question-bank`);
  const dir = process.env.CXZY_TEST_DIR || '/tmp';
  const bad = `${dir}/bank-bad-${process.pid}.csv`, good = `${dir}/bank-good-${process.pid}.csv`;
  writeFileSync(bad, '题干,选项A,选项B,答案\r\n浏览器题一,甲,乙,A\r\n浏览器题二,甲,乙,C\r\n');
  writeFileSync(good, '某镇学习题库\r\n题型,题干,选项A,选项B,答案\r\n单选题,浏览器题一,甲,乙,A\r\n判断题,浏览器题二,,,错\r\n');
  await page.setInputFiles('#file', bad);
  await page.getByRole('button', { name: '导入' }).click();
  await page.waitForSelector('#import-errors');
  assert.match(await page.locator('#import-errors').innerText(), /第 3 行“答案”列：没有选项“C”/);
  await page.setInputFiles('#file', good);
  await Promise.all([page.waitForURL(/imported=2/), page.getByRole('button', { name: '导入' }).click()]);
  assert.match(await page.locator('.notice').innerText(), /已导入 2 道题/);
  await axeCheck(page, 'the question bank');
  // the quiz form: the two new questions, a window from now
  await page.goto(`${srv.base}/orgs/${rootId}/quizzes`);
  await page.fill('#title', '浏览器发布的测试');
  await page.selectOption('#scope_org_id', String(townId));
  const pad = (n) => String(n).padStart(2, '0');
  const local = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  await page.fill('#opens_at', local(new Date(Date.now() - 120_000)));
  await page.fill('#closes_at', local(new Date(Date.now() + 86_400_000)));
  await page.getByLabel('[单选题] 浏览器题一').check();
  await page.getByLabel('[判断题] 浏览器题二').check();
  await Promise.all([page.waitForURL(/\/quizzes\/\d+$/), page.getByRole('button', { name: '发布测试' }).click()]);
  assert.match(await page.locator('.quiz .meta').innerText(), /2 道题/);
  assert.equal((await page.locator('#state').innerText()).trim(), '答题中');
  await ctx.close();
  // a member writes a study note on a phone
  const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(10_000);
  const p2 = await phone.newPage();
  await pageLogin(p2, srv.base, 'member');
  await p2.goto(`${srv.base}/me/study-notes`);
  await p2.fill('#material', '《中国共产党支部工作条例》');
  await p2.fill('#text', '学习后明确了支部的八项基本任务。');
  await Promise.all([p2.waitForURL(/\/me\/study-notes$/), p2.getByRole('button', { name: '保存' }).click()]);
  assert.match(await p2.locator('#notes').innerText(), /《中国共产党支部工作条例》/);
  await axeCheck(p2, 'the study notes on a phone');
  await phone.close();
});

// permissions.test.mjs: the permission matrix, driven by GET /api/v1/openapi.json so that new
// routes are covered without editing this file: every operation on a record outside the caller's
// subtree is 404 (or 403 when the caller's roles may never use it) and reveals nothing; every
// non-public operation needs a session (401); every state change needs the CSRF token (403).
// Nothing refused may change anything. Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, PASSWORD, expectError, newIdcard, fileForm, multipartBody, daysFromToday, PNG_1x1 as PNG, smsCode } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const USERS = ['office', 'town', 'secretary', 'member', 'leader', 'discipline', 'secretary2'];
const as = {};
for (const u of USERS) as[u] = await loginAs(srv.base, u);
const office = as.office;
const rootId = office.user.roles[0].org_id;

// The tree, to know who may reach what: parent of every org.
const parent = new Map();
(function walk(n, p) { parent.set(n.id, p); n.children.forEach((k) => walk(k, n.id)); })(
  (await office.get(`/api/v1/orgs/${rootId}/tree?depth=64`)).json.tree, null);
const inScope = (user, orgId) => as[user].user.roles.some((g) => { for (let o = orgId; o; o = parent.get(o)) if (o === g.org_id) return true; return false; });
const rolesOf = (user) => as[user].user.roles.map((g) => g.role);

// Targets: the first town's branch (where secretary and member sit) and a member there; the
// second town's branch (secretary2's) and a member there.
async function target(orgId) {
  const org = (await office.get(`/api/v1/orgs/${orgId}`)).json.org;
  const m = (await office.get(`/api/v1/orgs/${orgId}/members?per_page=1`)).json.members[0];
  assert.ok(m, `org ${orgId} has members`);
  return { org, member: m, secrets: [org.name, m.name, m.idcard, m.phone].filter(Boolean) };
}
const A = await target(as.secretary.user.roles[0].org_id);
const B = await target(as.secretary2.user.roles[0].org_id);
assert.ok(inScope('town', A.org.id) && !inScope('town', B.org.id), 'the demo has two towns');

// Pledges and evidence to aim at. A: the `member` login's own in-progress pledge (the demo's),
// with a PNG recorded as progress here. B: a pledge of a member of secretary2's branch (a login
// made here for that member), submitted, approved by secretary2 and given progress with a PNG.
const inAMonth = daysFromToday(30);
const today = daysFromToday(0);
const progressForm = (text) => {
  const f = new FormData();
  f.append('date', today); f.append('text', text); f.append('percent', '40');
  f.append('evidence', new Blob([PNG], { type: 'image/png' }), `佐证${++seq0}.png`);
  return f;
};
let seq0 = 0;
async function ok(r, status = 200) { assert.equal(r.status, status, r.text.slice(0, 300)); return r.json; }
const own = (await ok(await as.member.get('/api/v1/me/pledges'))).pledges;
const pA = own.find((p) => p.status === 'in_progress');
const draftA = own.find((p) => p.status === 'draft');
assert.ok(pA && draftA, 'the demo gives the member an in-progress and a draft pledge');
const allA = (await ok(await office.get(`/api/v1/orgs/${A.org.id}/pledges?per_page=500`))).pledges;
const HIDDEN = allA.filter((p) => ['draft', 'submitted', 'returned'].includes(p.status));
assert.ok(HIDDEN.some((p) => p.status === 'submitted'), 'the demo has a submitted pledge in the first branch');
// (sent in one piece: see pledges.test.mjs for a multipart body that arrives in pieces)
const flatProgress = (text) => multipartBody([['date', today], ['text', text], ['percent', 40], ['evidence', PNG, `佐证${++seq0}.png`]]);
const progA = await ok(await as.member.req('POST', `/api/v1/pledges/${pA.id}/progress`, await flatProgress('甲支部践诺进展：走访回访')), 201);
const evA = (await ok(await as.member.get(`/api/v1/pledges/${pA.id}`))).progress.find((x) => x.id === progA.progress_id).evidence[0];
{
  const u = srv.cli(['user', 'add', 'memberb', '--name', '乙支部党员', '--password-file', '-', '--role', 'member',
    '--org', String(B.org.id), '--member', String(B.member.id)], { input: PASSWORD + '\n' });
  assert.equal(u.status, 0, u.stdout + u.stderr);
}
const memberB = await loginAs(srv.base, 'memberb');
const pB = (await ok(await memberB.post('/api/v1/pledges', {
  area: '服务群众', title: '乙支部承诺：为老人代办事项', content: '为辖区老人代办各类事项。',
  measures: '每周值班一天。', responsible: B.member.name, due_date: inAMonth,
}), 201)).pledge;
await ok(await memberB.post(`/api/v1/pledges/${pB.id}/submit`));
await ok(await as.secretary2.post(`/api/v1/pledges/${pB.id}/approve`));
const progB = await ok(await memberB.req('POST', `/api/v1/pledges/${pB.id}/progress`, await flatProgress('乙支部践诺进展：代办 3 件')), 201);
const evB = (await ok(await office.get(`/api/v1/pledges/${pB.id}`))).progress.find((x) => x.id === progB.progress_id).evidence[0];
assert.ok(evA && evB, 'both progress entries carry their evidence');
Object.assign(A, { pledge: pA, evidence: evA, account: as.member.user.id });
Object.assign(B, { pledge: pB, evidence: evB, account: memberB.user.id });
A.secrets.push(pA.title, pA.member_name, draftA.title, evA.name, '甲支部践诺进展');
B.secrets.push(pB.title, evB.name, '乙支部践诺进展');
for (const p of HIDDEN) A.secrets.push(p.title);

// Public rating records to aim at (window.c, paper_batch.c, phone_draw.c): a service window, a
// paper batch and a phone draw in A and in B, in a round the office opens over the district.
{
  const camp = (await ok(await office.get(`/api/v1/orgs/${rootId}/campaigns`))).campaigns[0];
  await ok(await office.post(`/api/v1/orgs/${rootId}/rounds`, { campaign_id: camp.id, name: '权限测试轮次', start_date: camp.start_date, end_date: camp.end_date, questions: 'party3' }), 201);
  for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
    t.window = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/windows`, { name: `${tag}支部便民窗口` }), 201)).window;
    // 纸质问卷 are issued by the level above the branch (here the district office)
    t.batch = (await ok(await office.post(`/api/v1/orgs/${t.org.id}/paper-batches`, { target_kind: 'window', target_id: t.window.id, sheets: 2 }), 201)).batch;
    t.batchCode = (await ok(await office.get(`/api/v1/paper-batches/${t.batch.id}`))).codes[0];
    const cm = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/draw-commitments`, { purpose: 'phone' }), 201)).commitment;
    t.draw = (await ok(await sec.req('POST', `/api/v1/orgs/${t.org.id}/phone-import`, await multipartBody([['target_kind', 'window'],
      ['target_id', t.window.id], ['n', 1], ['commitment_id', cm.id], ['file', Buffer.from('13700000001\n13700000002\n'), 'list.csv']])), 201)).draw;
    t.secrets.push(t.window.name);
  }
}
// Three reviews (campaign.c, round.c, review.c, charge.c, grade.c): a campaign and a round run at
// A and at B themselves (their campaigns start a day before the district's, so they are never
// anyone's default campaign).
{
  const camp = (await ok(await office.get(`/api/v1/orgs/${rootId}/campaigns`))).campaigns.at(-1);
  const d0 = new Date(`${camp.start_date}T12:00:00`);
  d0.setDate(d0.getDate() - 1);
  const start = `${d0.getFullYear()}-${String(d0.getMonth() + 1).padStart(2, '0')}-${String(d0.getDate()).padStart(2, '0')}`;
  for (const [t, tag] of [[A, '甲'], [B, '乙']]) {
    t.campaign = (await ok(await office.post(`/api/v1/orgs/${t.org.id}/campaigns`, { theme: `${tag}支部评议活动`, start_date: start, end_date: camp.end_date }), 201)).campaign;
    t.phase = await ok(await office.post(`/api/v1/campaigns/${t.campaign.id}/phases`, { name: `${tag}支部第一阶段`, start_date: today, end_date: inAMonth }), 201);
    t.round = (await ok(await office.post(`/api/v1/orgs/${t.org.id}/rounds`, { campaign_id: t.campaign.id, name: `${tag}支部评议轮次`, start_date: today, end_date: inAMonth }), 201)).round;
    t.secrets.push(`${tag}支部评议活动`, `${tag}支部评议轮次`, `${tag}支部第一阶段`);
    // standards by sector (issue 22): a set of the branch's own campaign, with an indicator
    t.stdSet = (await ok(await office.post(`/api/v1/campaigns/${t.campaign.id}/standard-sets`, { code: `perm_set_${t === A ? 'a' : 'b'}`,
      name: `${tag}支部标准`, target: 'org', items: [{ title: `${tag}支部条目`, indicators: [{ title: `${tag}支部指标`, points: 10 }] }] }), 201)).standard;
    t.secrets.push(`${tag}支部指标`);
  }
}
// Rectification items (rect.c): one in A (made by the town office) and one in B (by the
// district office), each with an evidence file uploaded by the branch's secretary.
for (const [t, maker, sec, tag] of [[A, as.town, as.secretary, '甲'], [B, office, as.secretary2, '乙']]) {
  t.rect = (await ok(await maker.post(`/api/v1/orgs/${t.org.id}/rectifications`, { source: 'inspection', problem: `${tag}支部整改问题：台账不全`,
    measure: '补齐台账', owner: '责任人', due_date: inAMonth }), 201)).rectification;
  await ok(await sec.req('POST', `/api/v1/rectifications/${t.rect.id}/evidence`, await multipartBody([['evidence', PNG, `${tag}支部整改佐证.png`]])), 201);
  t.rectEvidence = (await ok(await office.get(`/api/v1/rectifications/${t.rect.id}`))).evidence[0];
  t.secrets.push(t.rect.problem, t.rectEvidence.name);
}
// Scheduled reports (report.c): a schedule the district office sets over A's town and one over
// B's town (each covering its branches); the branch's report, with a PNG its secretary attached.
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  t.schedule = (await ok(await office.post(`/api/v1/orgs/${t.org.parent_id}/report-schedules`, { kind: 'quarterly', title: `${tag}镇季度检查安排`,
    for_types: 'branch', period_start: '2026-10-01', period_end: '2026-12-31', due_workdays: '10' }), 201)).schedule;
  t.report = (await ok(await office.get(`/api/v1/report-schedules/${t.schedule.id}?per_page=500`))).reports.find((r) => r.org_id === t.org.id);
  t.reportFile = (await ok(await sec.req('POST', `/api/v1/reports/${t.report.id}/files`, await multipartBody([['file', PNG, `${tag}支部汇报附件.png`]])), 201)).files[0];
  t.secrets.push(t.schedule.title, t.reportFile.name);
}
// Feedback (feedback.c): an opinion about A and one about B from the public, with a photo,
// assigned by the district office to the branch it is about (an opinion may be; a 投诉 about the
// branch goes to the level above and never to the branch: feedback.test.mjs).
for (const [t, tag] of [[A, '甲'], [B, '乙']]) {
  const text = `${tag}支部意见：办事窗口无人值守`;
  await ok(await new Client(srv.base).post('/api/v1/public/feedback', { kind: 'opinion', text, about_kind: 'org', about_id: t.org.id,
    evidence: [{ name: `${tag}支部意见照片.png`, data: PNG.toString('base64') }] }), 201);
  const it = (await ok(await office.get(`/api/v1/orgs/${t.org.id}/feedback?view=new`))).items.find((x) => x.text === text);
  await ok(await office.post(`/api/v1/feedback/${it.id}/assign`, { org_id: t.org.id }));
  t.feedback = (await ok(await office.get(`/api/v1/feedback/${it.id}`))).item;
  t.ffile = t.feedback.files[0];
  t.secrets.push(text, t.ffile.name);
}
// Inspections (inspection.c): one of A's branch by the first town's office, one of B's branch by
// the district office (scope: B's town), each running with a problem finding and its evidence file.
for (const [t, maker, scope, tag] of [[A, as.town, as.town.user.roles[0].org_id, '甲'], [B, office, B.org.parent_id, '乙']]) {
  t.inspection = (await ok(await maker.post(`/api/v1/orgs/${scope}/inspections`, { kind: 'regular', title: `${tag}支部督查`, start_date: today,
    end_date: inAMonth, targets: String(t.org.id) }), 201)).inspection;
  await ok(await maker.post(`/api/v1/inspections/${t.inspection.id}/start`));
  t.finding = (await ok(await maker.req('POST', `/api/v1/inspections/${t.inspection.id}/findings`, await multipartBody([['org_id', t.org.id],
    ['level', 'problem'], ['text', `${tag}支部督查问题：台账缺页`], ['evidence', PNG, `${tag}支部督查佐证.png`]])), 201)).finding;
  t.findingFile = t.finding.files[0];
  t.secrets.push(`${tag}支部督查`, `${tag}支部督查问题：台账缺页`, t.findingFile.name);
}
// Notifications (notify.c): the branch secretary's own, of the feedback just assigned there.
for (const [t, sec] of [[A, as.secretary], [B, as.secretary2]])
  t.notification = (await ok(await sec.get('/api/v1/me/notifications?per_page=200'))).notifications.find((n) => n.link === `/feedback/${t.feedback.id}`);
assert.ok(A.notification && B.notification, 'assigning feedback notifies the branch secretary');
// Bulletins (bulletin.c): one published for the subtree of A and one of B, by the district office.
for (const [t, tag] of [[A, '甲'], [B, '乙']]) {
  const title = `${tag}支部通报：本季度逾期整改情况`;
  const d = (await ok(await office.post(`/api/v1/orgs/${t.org.id}/bulletins`, { title, period: '2026Q3', sections: 'overdue_rect,text', note_text: `${tag}支部通报正文` }), 201)).bulletin;
  t.bulletin = (await ok(await office.post(`/api/v1/bulletins/${d.id}/publish`, { version: d.version }))).bulletin;
  t.secrets.push(title, `${tag}支部通报正文`);
}
// Liaison points (liaison.c): a leader of A's town with a point at A (made by the first town's
// office) and one of B's town with a point at B (by the district office), each with a visit that
// found a problem and carries a photo.
for (const [t, maker, at, tag, u] of [[A, as.town, A.org.parent_id, '甲', 'liaisona'], [B, office, rootId, '乙', 'liaisonb']]) {
  const made = srv.cli(['user', 'add', u, '--name', `${tag}镇联络点领导`, '--password-file', '-', '--role', 'leader', '--org', String(t.org.parent_id)],
    { input: PASSWORD + '\n' });
  assert.equal(made.status, 0, made.stdout + made.stderr);
  const lc = await loginAs(srv.base, u);
  t.liaisonLeader = lc.user.id;
  t.liaisonPoint = (await ok(await maker.post(`/api/v1/orgs/${at}/liaison-points`, { leader_id: String(lc.user.id), org_id: String(t.org.id) }), 201)).point;
  t.liaisonVisit = (await ok(await lc.req('POST', `/api/v1/liaison-points/${t.liaisonPoint.id}/visits`, await multipartBody([['visited_on', today],
    ['done', `${tag}支部走访内容`], ['problems_found', `${tag}支部走访发现的问题`], ['files', PNG, `${tag}支部走访照片.png`]])), 201)).visit;
  t.liaisonFile = t.liaisonVisit.files[0];
  t.secrets.push(`${tag}镇联络点领导`, `${tag}支部走访内容`, `${tag}支部走访发现的问题`, t.liaisonFile.name);
}
// The ledger (ledger.c, issue 18): a research report with its file in each branch, by its secretary.
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  t.ledgerEntry = (await ok(await sec.req('POST', `/api/v1/orgs/${t.org.id}/ledger`, await multipartBody([['kind', 'research'], ['entry_date', today],
    ['title', `${tag}支部调研报告`], ['body', `${tag}支部调研正文`], ['file', PNG, `${tag}支部调研附件.png`]])), 201)).entry;
  t.ledgerFile = t.ledgerEntry.file_list[0];
  t.secrets.push(`${tag}支部调研报告`, `${tag}支部调研正文`, t.ledgerFile.name);
}
// Organisation life (meeting.c): a meeting of each branch by its own secretary, with a photo.
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  t.meeting = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/meetings`, { kind: 'committee', title: `${tag}支部支委会`, held_on: today }), 201)).meeting;
  t.meetingFile = (await ok(await sec.req('POST', `/api/v1/meetings/${t.meeting.id}/files`, await multipartBody([['evidence', PNG, `${tag}支部会议照片.png`]])), 201)).files[0];
  t.secrets.push(`${tag}支部支委会`, `${tag}支部会议照片.png`);
}
// Study notes and quizzes (study.c, quiz.c; issue 18): a quiz over each target branch (A's by the
// first town's office, B's by the district office) from a bank question imported here, and a study
// note by a member of each branch.
const nowS = Math.floor(Date.now() / 1000);
for (const [t, maker, scope, tag, writer] of [[A, as.town, as.town.user.roles[0].org_id, '甲', as.member], [B, office, rootId, '乙', memberB]]) {
  await ok(await maker.req('POST', `/api/v1/orgs/${scope}/question-bank/import`, { body: fileForm(`题干,选项A,选项B,答案\r\n${tag}支部测试题,对的,错的,A\r\n`, 'bank.csv') }), 201);
  t.quiz = (await ok(await maker.post(`/api/v1/orgs/${scope}/quizzes`, { title: `${tag}支部学习测试`, scope_org_id: String(t.org.id),
    opens_at: String(nowS - 60), closes_at: String(nowS + 86400), draw_n: '1' }), 201)).quiz;
  t.studyNote = (await ok(await writer.post('/api/v1/me/study-notes', { material: `${tag}支部学习材料`, text: `${tag}支部学习心得正文` }), 201)).note;
  t.secrets.push(`${tag}支部学习心得正文`, `${tag}支部学习测试`);
}
// 三比 contests (contest.c; issue 19): a contest of each target branch itself (A's by the first
// town's office, B's by the district office), in draft with one scoring item.
for (const [t, maker, tag] of [[A, as.town, '甲'], [B, office, '乙']]) {
  t.contest = (await ok(await maker.post(`/api/v1/orgs/${t.org.id}/contests`, { kind: 'skill', title: `${tag}支部技能比武`, year: '2026', entrant_kind: 'member' }), 201)).contest;
  await ok(await maker.post(`/api/v1/contests/${t.contest.id}/items`, { name: `${tag}支部评分项目`, weight: '100' }), 201);
  t.secrets.push(`${tag}支部技能比武`, `${tag}支部评分项目`);
}
// Exemplary posts (post.c, issue 19): a post of each target branch by its own secretary, held by its member.
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  t.post = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/posts`, { kind: 'post', name: `${tag}支部示范岗`, duties: `${tag}支部岗位职责` }), 201)).post;
  t.postHolder = (await ok(await sec.post(`/api/v1/posts/${t.post.id}/holders`, { member_id: String(t.member.id) }), 201)).post.holders[0];
  t.secrets.push(`${tag}支部示范岗`, `${tag}支部岗位职责`);
}
// 评选表彰 awards (award.c; issue 19): an award of each target branch itself (A's by the first
// town's office, B's by the district office), open, with its member nominated by its secretary.
for (const [t, maker, sec, tag] of [[A, as.town, as.secretary, '甲'], [B, office, as.secretary2, '乙']]) {
  t.award = (await ok(await maker.post(`/api/v1/orgs/${t.org.id}/awards`, { name: `${tag}支部优秀党员`, subject: 'member', year: '2026', quota: '3' }), 201)).award;
  await ok(await maker.post(`/api/v1/awards/${t.award.id}/open`, {}));
  t.nomination = (await ok(await sec.post(`/api/v1/awards/${t.award.id}/nominations`, { subject_id: String(t.member.id), reason: `${tag}支部推荐理由` }), 201)).nomination;
  t.secrets.push(`${tag}支部优秀党员`, `${tag}支部推荐理由`);
}
// Published round results (result.c, issue 19 results): each target branch's window league table
// over its own round, published by the office over it (A's by the first town's office, B's by the district office).
for (const [t, maker] of [[A, as.town], [B, office]])
  t.result = (await ok(await maker.post(`/api/v1/orgs/${t.org.id}/results`, { round_id: String(t.round.id), kind: 'windows', min_ballots: '1' }), 201)).result;
// Public notices and objections (notice.c, issue 19): a notice of each target branch by the office
// above it, with one objection from the public (a verified phone).
for (const [t, maker, tag, phone] of [[A, as.town, '甲', '13900000001'], [B, office, '乙', '13900000002']]) {
  t.notice = (await ok(await maker.post(`/api/v1/orgs/${t.org.id}/notices`, { title: `${tag}支部拟表彰公示`, contact: '电话 0571-88880000',
    items: [{ subject_kind: 'member', subject_id: t.member.id, honour: `${tag}支部优秀党员` }] }), 201)).notice;
  const anon = new Client(srv.base);
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  await ok(await anon.post('/api/v1/public/objections', { notice_id: t.notice.id, item_id: t.notice.items[0].id, name: '权限测试人', phone,
    code: await smsCode(srv, phone), text: `${tag}支部的异议内容ZQN` }), 201);
  t.objection = (await ok(await maker.get(`/api/v1/notices/${t.notice.id}`))).objections[0];
  t.secrets.push(`${tag}支部的异议内容ZQN`);
}
// News items and consultations (news.c, consultation.c, issue 22): an item with a photo submitted by
// each target branch's secretary (not yet adopted), and a consultation of the branch with one
// comment from the public (a verified phone).
for (const [t, sec, tag, phone] of [[A, as.secretary, '甲', '13900000011'], [B, as.secretary2, '乙', '13900000012']]) {
  t.newsItem = (await ok(await sec.req('POST', `/api/v1/orgs/${t.org.id}/news`, await multipartBody([['kind', 'news'], ['title', `${tag}支部简报标题XWB`],
    ['body', `${tag}支部简报正文`], ['photo', PNG, `${tag}支部简报照片.png`]])), 201)).item;
  t.newsPhoto = (await ok(await sec.get(`/api/v1/news/${t.newsItem.id}`))).item.photos[0];
  t.consultation = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/consultations`, { title: `${tag}支部征询主题ZXY`, body: '征询说明', closes_on: inAMonth }), 201)).consultation;
  const anon = new Client(srv.base);
  const device = (await ok(await anon.get(`/api/v1/public/consultations?id=${t.consultation.id}`))).device;
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  t.comment = await ok(await anon.post('/api/v1/public/consultation-comments', { consultation_id: t.consultation.id, text: `${tag}支部的征询意见YJN`,
    phone, code: await smsCode(srv, phone), device }), 201);
  t.comment.id = t.comment.comment_id;
  t.secrets.push(`${tag}支部简报标题XWB`, `${tag}支部的征询意见YJN`);
}
// Carriers that can be tracked (carrier.c, issue 22): a carrier of each target branch in its own
// campaign, opened for that campaign's phase, and the target member's entry filled with a PNG.
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  const k = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/carriers`, { campaign_id: t.campaign.id, name: `${tag}支部载体ZTK`,
    items: `${tag}支部事项SXQ | 党员 | 照片` }), 201)).carrier_id;
  await ok(await sec.post(`/api/v1/carriers/${k}/phases`, { phase_id: t.phase.phase_id }));
  const entry = (await ok(await sec.get(`/api/v1/carriers/${k}`))).entries.find((e) => e.member_id === t.member.id);
  t.carrier = { id: k };
  t.carrierEntry = (await ok(await sec.req('POST', `/api/v1/carrier-entries/${entry.id}`, await multipartBody([['text', `${tag}支部填报内容TBN`],
    ['evidence', PNG, `${tag}支部填报佐证.png`]])))).entry;
  t.carrierFile = t.carrierEntry.files[0];
  t.secrets.push(`${tag}支部载体ZTK`, `${tag}支部事项SXQ`, `${tag}支部填报内容TBN`);
}
// Annual goals (goal.c, issue 22): a goal of each target branch, written and submitted by its
// secretary (waiting for the town's acceptance).
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  t.goal = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/goals`, { year: String(new Date().getFullYear()), title: `${tag}支部年度目标MBG` }), 201)).goal;
  await ok(await sec.post(`/api/v1/goals/${t.goal.id}/submit`, {}));
  t.secrets.push(`${tag}支部年度目标MBG`);
}
// The leading group (position.c, issue 22): a committee member of each target branch.
for (const [t, sec, tag] of [[A, as.secretary, '甲'], [B, as.secretary2, '乙']]) {
  t.position = (await ok(await sec.post(`/api/v1/orgs/${t.org.id}/positions`, { member_id: String(t.member.id), title: 'committee', duties: `${tag}支部班子分工BZF` }), 201)).position;
  t.secrets.push(`${tag}支部班子分工BZF`);
}
// Members away (mobile.c, issue 22): the target member recorded as away, in touch with the other target's branch.
for (const [t, sec, tag, other] of [[A, as.secretary, '甲', B], [B, as.secretary2, '乙', A]]) {
  t.mobile = (await ok(await sec.post(`/api/v1/members/${t.member.id}/mobile`, { place: `${tag}支部流动去向LDQ`, contact_org_id: String(other.org.id) }), 201)).record;
}
const spec = (await new Client(srv.base).get('/api/v1/openapi.json')).json;
const OPS = [];
for (const [path, item] of Object.entries(spec.paths))
  for (const [method, op] of Object.entries(item)) OPS.push({ method: method.toUpperCase(), path, op, key: `${method.toUpperCase()} ${path}` });

// How to call each state-changing operation so that it would succeed if it were allowed. A
// route missing here makes the coverage test fail: add it when adding the route.
let seq = 0;
const BODIES = {
  'POST /orgs/{id}/children': () => ({ name: `越权新建${++seq}`, type: 'branch', sector: 'rural' }),
  'PATCH /orgs/{id}': () => ({ name: `越权改名${++seq}` }),
  'POST /orgs/{id}/move': () => ({ parent_id: rootId }),
  'POST /orgs/{id}/deactivate': () => undefined,
  'POST /orgs/{id}/activate': () => undefined,
  'POST /orgs/{id}/members': () => ({ name: `越权新增${++seq}`, idcard: newIdcard('19800101'), joined_date: '2005-07-01' }),
  'POST /orgs/{id}/import': () => fileForm(`姓名,身份证号,入党时间\n越权导入${++seq},${newIdcard('19810101')},2005-07-01\n`),
  'PATCH /members/{id}': () => ({ name: `越权改名${++seq}`, org_id: B.org.id }),
  'POST /members/{id}/deactivate': () => undefined,
  'POST /members/{id}/activate': () => undefined,
  'POST /members/{id}/reveal': () => undefined,
  'POST /members/{id}/photo': () => { const f = new FormData(); f.append('photo', new Blob([PNG]), 'p.png'); return f; },
  'DELETE /session': () => undefined,
  'POST /orgs/{id}/campaigns': () => ({ theme: `越权活动${++seq}`, start_date: today, end_date: inAMonth }),
  'POST /pledges': () => ({ org_id: A.org.id, area: '提高工作效能', title: `越权承诺${++seq}`, content: '内容', measures: '措施', responsible: '某人', due_date: inAMonth }),
  'PATCH /pledges/{id}': () => ({ title: `越权改承诺${++seq}` }),
  'POST /pledges/{id}/submit': () => undefined,
  'POST /pledges/{id}/approve': () => undefined,
  'POST /pledges/{id}/return': () => ({ reason: `越权退回${++seq}` }),
  'POST /pledges/{id}/complete': () => undefined,
  'POST /pledges/{id}/miss': () => ({ miss_kind: 'objective', explanation: `越权说明${++seq}` }),
  'POST /pledges/{id}/rate': () => ({ grade: 'good', comment: '越权评诺', summary: '越权总结' }),
  'POST /pledges/{id}/renew': () => undefined,
  'POST /pledges/{id}/progress': () => progressForm(`越权进展${++seq}`),
  'POST /pledges/{id}/confirm': () => undefined,
};
const PUBLIC = ['GET /openapi.json', 'POST /session', 'GET /public/cards/{id}', 'GET /public/boards/{id}'];
Object.assign(BODIES, { // public rating (window.c, paper_batch.c, phone_draw.c)
  'POST /orgs/{id}/windows': () => ({ name: `越权窗口${++seq}` }),
  'PATCH /windows/{id}': () => ({ name: `越权改窗口${++seq}` }),
  'POST /windows/{id}/deactivate': () => undefined,
  'POST /windows/{id}/activate': () => undefined,
  'POST /orgs/{id}/paper-batches': () => ({ target_kind: 'org', sheets: 2 }),
  'POST /paper-batches/{id}/sheets': () => ({ code: A.batchCode, answers: '111111' }),
  'POST /orgs/{id}/draw-commitments': () => ({ purpose: 'phone' }),
  'POST /orgs/{id}/phone-import': () => { const f = new FormData(); f.append('n', '1'); f.append('file', new Blob(['13700000009\n']), 'l.csv'); return f; },
  'POST /phone-draws/{id}/reveal': () => undefined,
  'POST /phone-draws/{id}/answers': () => ({ seq: 1, outcome: 'unreachable' }),
  'POST /orgs/{id}/ballot-bursts': () => ({ burst_id: 1, decision: 'release', note: '越权审核' }),
});
PUBLIC.push('GET /public/rating', 'POST /public/sms-codes', 'POST /public/ballots'); // reviewed: no id, no session, rate-limited


Object.assign(BODIES, { // three reviews (campaign.c, round.c, review.c, charge.c, grade.c)
  'PATCH /campaigns/{id}/rules': () => ({ w_self: 20 }),
  'POST /campaigns/{id}/phases': () => ({ name: `越权阶段${++seq}`, start_date: today, end_date: inAMonth }),
  'PATCH /campaigns/{id}/phases': () => ({ phase_id: A.phase.phase_id, name: `越权改阶段${++seq}`, start_date: today, end_date: inAMonth }),
  'POST /standards': () => ({ code: `yq${++seq}`, name: '越权标准', target: 'org', items: [{ title: '越权条目', body: '' }] }),
  // standards and indicators by sector (sector_standard.c, issue 22)
  'POST /campaigns/{id}/sector-standards': () => ({ target: 'org', sector: 'soe', org_type: '', set_id: String(A.stdSet.id) }),
  'POST /campaigns/{id}/standard-sets': () => ({ code: `yqs${++seq}`, name: '越权标准', target: 'org', items: [{ title: '越权条目', indicators: [{ title: '越权指标', points: 10 }] }] }),
  'PATCH /campaigns/{id}/standard-sets': () => ({ set_id: String(A.stdSet.id), indicators: [{ item_seq: 1, title: `越权改指标${++seq}`, points: 20 }] }),
  'POST /orgs/{id}/carriers': () => ({ name: `越权载体${++seq}` }),
  'POST /orgs/{id}/rounds': () => ({ name: `越权轮次${++seq}`, start_date: today, end_date: inAMonth }),
  'POST /rounds/{id}/close': () => undefined,
  'POST /members/{id}/review': () => ({ levels: '11111', shortcomings: '越权自评', direction: '越权方向' }),
  'POST /orgs/{id}/review': () => ({ levels: '11111', shortcomings: '越权自评', direction: '越权方向' }),
  'POST /members/{id}/review/confirm': () => undefined,
  'POST /orgs/{id}/peer-matrix': () => ({ sheet_no: ++seq, rows: [{ member_id: A.member.id, levels: '11111' }] }),
  'POST /orgs/{id}/charges': () => ({ user_id: as.leader.user.id }),
  'POST /members/{id}/commentary': () => ({ level: 1, achievements: '越权', problems: '越权', direction: '越权' }),
  'POST /orgs/{id}/commentary': () => ({ level: 1, achievements: '越权', problems: '越权', direction: '越权' }),
  'POST /members/{id}/exclusion': () => ({ reason: 'away' }),
  'POST /orgs/{id}/grades': () => ({ kind: 'member' }),
  'POST /members/{id}/grade': () => ({ grade: 'basic', entitled: 9, present: 9, in_favour: 9, reason: '越权决定' }),
  'POST /members/{id}/grade/approve': () => ({ approve: true }),
});

Object.assign(BODIES, { // rectification items (rect.c)
  'POST /orgs/{id}/rectifications': () => ({ source: 'manual', problem: `越权整改${++seq}`, measure: '措施', owner: '某人', due_date: inAMonth }),
  'POST /rectifications/{id}/evidence': () => { const f = new FormData(); f.append('evidence', new Blob([PNG]), `越权佐证${++seq}.png`); return f; },
  'POST /rectifications/{id}/submit': () => ({ note: `越权提交${++seq}`, no_evidence_reason: '越权' }),
  'POST /rectifications/{id}/verify': () => ({ note: `越权销号${++seq}` }),
  'POST /rectifications/{id}/reopen': () => ({ reason: `越权退回${++seq}` }),
  'POST /rectifications/{id}/cancel': () => ({ reason: `越权撤销${++seq}` }),
});

Object.assign(BODIES, { // scheduled reports (report.c)
  'POST /orgs/{id}/report-schedules': () => ({ kind: 'quarterly', title: `越权汇报安排${++seq}`, period_start: '2026-10-01', period_end: '2026-12-31', due_workdays: '10' }),
  'POST /reports/{id}': () => ({ sections: [`越权草稿${++seq}`] }),
  'POST /reports/{id}/submit': () => ({ sections: [`越权报送${++seq}`] }),
  'POST /reports/{id}/return': () => ({ comment: `越权退回${++seq}` }),
  'POST /reports/{id}/accept': () => ({ comment: `越权通过${++seq}` }),
  'POST /reports/{id}/files': () => { const f = new FormData(); f.append('file', new Blob([PNG]), `越权附件${++seq}.png`); return f; },
});
Object.assign(BODIES, { // feedback (feedback.c)
  'POST /orgs/{id}/feedback': () => ({ kind: 'opinion', channel: 'hotline', text: `越权录入的意见${++seq}` }),
  'POST /orgs/{id}/feedback-settings': () => ({ kind: 'complaint', due_days: 5 }),
  'POST /feedback/{id}/classify': () => ({ category_id: 1, note: '越权备注' }),
  'POST /feedback/{id}/assign': () => ({ org_id: A.org.id }),
  'POST /feedback/{id}/triage': () => ({ category_id: 1, org_id: A.org.id, note: '越权分类交办' }),
  'POST /feedback/{id}/merge': () => ({ into_id: B.feedback.id }),
  'POST /feedback/{id}/reply': () => ({ reply: `越权答复${++seq}` }),
  'POST /feedback/{id}/publish': () => ({ publish: true, summary: '越权公开的摘要' }),
  'POST /feedback/{id}/reveal': () => undefined,
  'POST /feedback-categories': () => ({ name: `越权分类${++seq}` }),
  'POST /calendar': () => ({ date: '2026-12-24', kind: 'holiday', name: '越权假日' }),
  'PATCH /settings': () => ({ public_url: 'https://evil.example' }), // no {id}: who may set it is in settings.test.mjs
});
PUBLIC.push('POST /public/feedback', 'POST /public/track', 'GET /public/replies'); // reviewed: no id, no session; rate-limited per address

Object.assign(BODIES, { // accounts (account.c)
  'POST /orgs/{id}/accounts': () => ({ role: 'member', username: `yq${++seq}`, display_name: '越权账号' }),
  'POST /orgs/{id}/accounts/bulk': () => undefined,
  'PATCH /orgs/{id}/account-policy': () => ({ prefix: 'yq' }),
  'POST /orgs/{id}/accounts/sms': () => undefined,
  'POST /accounts/{id}/reset': () => undefined,
  'POST /accounts/{id}/lock': () => undefined,
  'POST /accounts/{id}/unlock': () => undefined,
});
PUBLIC.push('POST /activation'); // reviewed: no id, no session; the login lock-out counts wrong codes
Object.assign(BODIES, { // the second factor (totp.c)
  'POST /me/totp': () => undefined,
  'POST /me/totp/confirm': () => ({ code: '000000' }),
  'POST /me/totp/off': () => ({ code: '000000' }),
  'POST /orgs/{id}/totp-policy': () => ({ required: '1' }),
});
PUBLIC.push('POST /session/totp'); // reviewed: no id, no session; only the pending token of a password that passed, wrong codes count in the login lock-out
PUBLIC.push('GET /public/results'); // reviewed: no id; the published round results by office, what /p/results shows (issue 19 results)
Object.assign(BODIES, { // notifications (notify.c): one's own; an office's SMS switch of its subtree
  'POST /me/notifications/{id}/read': () => undefined,
  'POST /me/notifications/read-all': () => undefined,
  'PATCH /me/notification-settings': () => ({ sms_opt_out: true }),
  'PATCH /orgs/{id}/reminders': () => ({ sms: true }),
});
Object.assign(BODIES, { // inspections (inspection.c)
  'POST /orgs/{id}/inspections': () => ({ kind: 'regular', title: `越权督查${++seq}`, start_date: today, end_date: inAMonth }),
  'POST /inspections/{id}/start': () => undefined,
  'POST /inspections/{id}/close': () => undefined,
  'POST /inspections/{id}/targets': () => ({ targets: String(rootId) }),
  'POST /inspections/{id}/draw': () => undefined,
  'POST /inspections/{id}/findings': () => { const f = new FormData(); f.append('level', 'problem'); f.append('text', `越权记录${++seq}`); return f; },
  'POST /findings/{id}/rectify': () => ({ measure: `越权整改${++seq}`, owner: '某人', due_date: inAMonth }),
  'POST /findings/{id}/files': () => { const f = new FormData(); f.append('evidence', new Blob([PNG]), `越权佐证${++seq}.png`); return f; },
});

/** The record kind an {id} path is about, or null when the matrix does not know it. */
Object.assign(BODIES, { // bulletins (bulletin.c)
  'POST /orgs/{id}/bulletins': () => ({ title: `越权通报${++seq}`, period: '2026Q3', sections: 'text', note_text: '越权正文' }),
  'POST /orgs/{id}/bulletin-prefix': () => ({ prefix: `越权${++seq}` }),
  'POST /bulletins/{id}/edit': () => ({ version: 1, title: `越权改通报${++seq}`, period: '2026Q3', sections: 'text', note_text: '越权正文' }),
  'POST /bulletins/{id}/delete': () => ({}),
  'POST /bulletins/{id}/publish': () => ({}),
  'POST /bulletins/{id}/correct': () => ({}),
});
Object.assign(BODIES, { // liaison points (liaison.c)
  'POST /orgs/{id}/liaison-rule': () => ({ min_points: '1', max_points: '3' }),
  'POST /orgs/{id}/liaison-points': () => ({ leader_id: String(A.liaisonLeader), org_id: String(A.org.id) }),
  'POST /liaison-points/{id}/end': () => ({}),
  'POST /liaison-points/{id}/visits': () => ({ visited_on: today, done: `越权走访${++seq}` }),
  'POST /liaison-visits/{id}/rectify': () => ({ measure: '越权整改', owner: '某人', due_date: inAMonth }),
});
Object.assign(BODIES, { // the ledger (ledger.c, issue 18)
  'POST /orgs/{id}/ledger': () => ({ kind: 'visit', entry_date: today, title: `越权台账${++seq}`, people: '2' }),
  'POST /orgs/{id}/ledger-categories': () => ({ kind: 'visit', name: `越权类别${++seq}` }),
  'POST /ledger/{id}/edit': () => ({ kind: 'research', entry_date: today, title: `越权改台账${++seq}` }),
  'POST /ledger/{id}/delete': () => ({}),
  'POST /ledger/{id}/files': () => { const f = new FormData(); f.append('file', new Blob([PNG]), `越权附件${++seq}.png`); return f; },
});
Object.assign(BODIES, { // organisation life (meeting.c)
  'POST /orgs/{id}/meetings': () => ({ kind: 'committee', title: `越权会议${++seq}`, held_on: today }),
  'POST /meetings/{id}/edit': () => ({ kind: 'committee', title: `越权改会议${++seq}`, held_on: today }),
  'POST /meetings/{id}/hold': () => ({}),
  'POST /meetings/{id}/cancel': () => ({}),
  'POST /meetings/{id}/refresh': () => ({}),
  'POST /meetings/{id}/attendance': () => ({ member_id: String(B.member.id), state: 'absent' }),
  'POST /meetings/{id}/attendance-rest': () => ({}),
  'POST /meetings/{id}/files': () => { const f = new FormData(); f.append('evidence', new Blob([PNG]), `越权会议照片${++seq}.png`); return f; },
  'POST /meetings/{id}/signin-code': () => ({}),
  'POST /signin/{token}': () => ({}),
  'POST /orgs/{id}/meeting-quota': () => ({ kind: 'committee', per: 'month', count: '3' }),
});
Object.assign(BODIES, { // study notes and quizzes (study.c, quiz.c; issue 18)
  'POST /me/study-notes': () => ({ material: `越权学习材料${++seq}`, text: '越权心得' }),
  'POST /orgs/{id}/question-bank/import': () => fileForm(`题干,选项A,选项B,答案\r\n越权试题${++seq},甲,乙,A\r\n`, 'bank.csv'),
  'POST /orgs/{id}/quizzes': () => ({ title: `越权测试${++seq}`, opens_at: String(nowS), closes_at: String(nowS + 3600), draw_n: '1' }),
  'POST /quizzes/{id}/answers': () => ({ q1: 'A' }),
  'POST /quizzes/{id}/close': () => undefined,
});
Object.assign(BODIES, { // 三比 contests (contest.c; issue 19)
  'POST /orgs/{id}/contests': () => ({ kind: 'skill', title: `越权竞赛${++seq}`, year: '2026', entrant_kind: 'member' }),
  'POST /contests/{id}/items': () => ({ name: `越权项目${++seq}`, weight: '1' }),
  'POST /contests/{id}/entrants': () => ({ ids: String(A.member.id) }),
  'POST /contests/{id}/entrants/import': () => fileForm(`姓名\n${A.member.id}\n`),
  'POST /contests/{id}/judges': () => ({ username: 'leader' }),
  'POST /contests/{id}/open': () => undefined,
  'POST /contests/{id}/close': () => undefined,
  'POST /contests/{id}/publish': () => undefined,
  'POST /contests/{id}/scores': () => ({ scores: [], submit: true }),
});
Object.assign(BODIES, { // exemplary posts and responsibility areas (post.c, issue 19)
  'POST /orgs/{id}/posts': () => ({ kind: 'post', name: `越权示范岗${++seq}`, duties: '越权职责' }),
  'PATCH /posts/{id}': () => ({ name: `越权改示范岗${++seq}` }),
  'POST /posts/{id}/deactivate': () => undefined,
  'POST /posts/{id}/activate': () => undefined,
  'POST /posts/{id}/holders': () => ({ member_id: String(B.member.id) }),
  'POST /posts/{id}/holders/end': () => ({ holder_id: String(B.postHolder.id) }),
});
Object.assign(BODIES, { // 评选表彰 awards (award.c; issue 19)
  'POST /orgs/{id}/awards': () => ({ name: `越权评选${++seq}`, subject: 'member', year: '2026', quota: '3' }),
  'POST /awards/{id}/rules': () => ({ rule: 'no_open_rect' }),
  'POST /awards/{id}/rules/remove': () => ({ rule: 'no_open_rect' }),
  'POST /awards/{id}/allocations': () => ({ org_id: String(A.org.id), places: '1' }),
  'POST /awards/{id}/open': () => undefined,
  'POST /awards/{id}/close': () => undefined,
  'POST /awards/{id}/finish': () => undefined,
  'POST /awards/{id}/notice': () => ({ workdays: '5' }),
  'POST /awards/{id}/nominations': () => ({ subject_id: String(A.member.id), reason: `越权推荐${++seq}` }),
  'POST /award-nominations/{id}/withdraw': () => undefined,
  'POST /award-nominations/{id}/vote': () => ({ for: '5', against: '0', abstain: '0', entitled: '5', date: today }),
  'POST /award-nominations/{id}/approve': () => undefined,
  'POST /award-nominations/{id}/revoke': () => ({ reason: `越权撤销${++seq}` }),
});
Object.assign(BODIES, { // published round results (result.c, issue 19 results)
  'POST /orgs/{id}/results': () => ({ round_id: String(A.round.id), kind: 'windows', min_ballots: '1' }),
  'POST /results/{id}/withdraw': () => ({ reason: '越权撤回评议结果' }),
});
Object.assign(BODIES, { // public notices and objections (notice.c, issue 19)
  'POST /orgs/{id}/notices': () => ({ title: `越权公示${++seq}`, contact: '越权电话', items: [{ subject_kind: 'member', subject_id: B.member.id, honour: '越权称号' }] }),
  'PATCH /notices/{id}': () => ({ contact: `越权联系${++seq}` }),
  'POST /objections/{id}/hold': () => undefined,
  'POST /objections/{id}/decide': () => ({ outcome: 'upheld', finding: '越权核查结论' }),
  'POST /objections/{id}/reveal': () => undefined,
});
PUBLIC.push('GET /public/notices', 'POST /public/objections', 'POST /public/objection-track'); // reviewed: no id; objections signed by a verified phone, rate-limited
Object.assign(BODIES, { // news items and consultations (news.c, consultation.c, issue 22)
  'POST /orgs/{id}/news': () => ({ kind: 'news', title: `越权简报${++seq}`, body: '越权正文' }),
  'PATCH /news/{id}': () => ({ title: `越权改简报${++seq}` }),
  'POST /news/{id}/photos': () => { const f = new FormData(); f.append('photo', new Blob([PNG]), `越权照片${++seq}.png`); return f; },
  'POST /news/{id}/adopt': () => ({}),
  'POST /news/{id}/decline': () => ({ note: '越权不采用' }),
  'POST /news/{id}/publish': () => ({ visibility: 'public' }),
  'POST /orgs/{id}/consultations': () => ({ title: `越权征询${++seq}`, body: '越权说明', closes_on: inAMonth }),
  'POST /consultations/{id}/summary': () => ({ summary: '越权总结' }),
  'POST /consultation-comments/{id}/reply': () => ({ reply: '越权答复' }),
});
Object.assign(BODIES, { // carriers that can be tracked (carrier.c, issue 22)
  'PATCH /carriers/{id}': () => ({ name: `越权改载体${++seq}` }),
  'POST /carriers/{id}/retire': () => ({ reason: '越权停用' }),
  'POST /carriers/{id}/phases': () => ({ phase_id: String(A.phase.phase_id) }),
  'POST /carrier-entries/{id}': () => ({ text: `越权填报${++seq}` }),
});
Object.assign(BODIES, { // annual goals (goal.c, issue 22)
  'POST /orgs/{id}/goals': () => ({ year: String(new Date().getFullYear()), title: `越权目标${++seq}` }),
  'PATCH /goals/{id}': () => ({ title: `越权改目标${++seq}` }),
  'POST /goals/{id}/submit': () => ({}),
  'POST /goals/{id}/accept': () => ({}),
  'POST /goals/{id}/return': () => ({ note: '越权退回' }),
  'POST /goals/{id}/progress': () => ({ percent: '50', text: '越权进度' }),
  'POST /orgs/{id}/positions': () => ({ member_id: '1', title: 'deputy', duties: `越权任职${++seq}` }), // the leading group (issue 22)
  'PATCH /positions/{id}': () => ({ duties: `越权分工${++seq}` }),
  'POST /positions/{id}/end': () => ({}),
  'POST /members/{id}/mobile': () => ({ place: `越权去向${++seq}`, contact_org_id: String(rootId) }), // members away (issue 22)
  'POST /mobile/{id}/return': () => ({}),
});
PUBLIC.push('GET /public/news', 'POST /public/news-nominations', 'GET /public/consultations', 'POST /public/consultation-comments'); // reviewed: no {id} in the path; published public items only; comments and nominations signed by a verified phone and a server-issued device, rate-limited
const KINDS = [[/^\/orgs\/\{id\}/, 'org'], [/^\/members\/\{id\}/, 'member'], [/^\/pledges\/\{id\}/, 'pledge'],
  [/^\/evidence\/\{id\}/, 'evidence'], [/^\/public\/cards\/\{id\}/, 'card'], [/^\/public\/boards\/\{id\}/, 'board']];
KINDS.push([/^\/windows\/\{id\}/, 'window'], [/^\/paper-batches\/\{id\}/, 'batch'], [/^\/phone-draws\/\{id\}/, 'draw']); // public rating
KINDS.push([/^\/rounds\/\{id\}/, 'round'], [/^\/campaigns\/\{id\}/, 'campaign']); // three reviews
KINDS.push([/^\/rectifications\/\{id\}/, 'rect'], [/^\/rectification-evidence\/\{id\}/, 'rectEvidence']); // rectification
KINDS.push([/^\/feedback\/\{id\}/, 'feedback'], [/^\/feedback-files\/\{id\}/, 'ffile']); // feedback
KINDS.push([/^\/accounts\/\{id\}/, 'account']);
KINDS.push([/^\/bulletins\/\{id\}/, 'bulletin']); // bulletins: the one published for the target's subtree
KINDS.push([/^\/report-schedules\/\{id\}/, 'schedule'], [/^\/reports\/\{id\}/, 'report'], [/^\/report-files\/\{id\}/, 'reportFile']); // scheduled reports
KINDS.push([/^\/inspections\/\{id\}/, 'inspection'], [/^\/findings\/\{id\}/, 'finding'], [/^\/finding-files\/\{id\}/, 'findingFile']); // inspections
KINDS.push([/^\/liaison-points\/\{id\}/, 'liaisonPoint'], [/^\/liaison-visits\/\{id\}/, 'liaisonVisit'], [/^\/liaison-visit-files\/\{id\}/, 'liaisonFile'],
  [/^\/liaison-leaders\/\{id\}/, 'liaisonLeader']); // liaison points: the target's; a leader is reached through the town of its grant
KINDS.push([/^\/meetings\/\{id\}/, 'meeting'], [/^\/meeting-files\/\{id\}/, 'meetingFile']); // organisation life
KINDS.push([/^\/me\/notifications\/\{id\}/, 'notification']); // a notification of the target branch's secretary // accounts: the account of the target member
KINDS.push([/^\/ledger\/\{id\}/, 'ledgerEntry'], [/^\/ledger-files\/\{id\}/, 'ledgerFile']); // the ledger
KINDS.push([/^\/posts\/\{id\}/, 'post']); // exemplary posts (issue 19)
KINDS.push([/^\/quizzes\/\{id\}/, 'quiz'], [/^\/study-notes\/\{id\}/, 'studyNote']); // study notes and quizzes (issue 18)
KINDS.push([/^\/contests\/\{id\}/, 'contest']); // 三比 contests (issue 19): the contest of the target branch
KINDS.push([/^\/awards\/\{id\}/, 'award'], [/^\/award-nominations\/\{id\}/, 'nomination']); // 评选表彰 awards (issue 19): the target branch's award and its nomination
KINDS.push([/^\/results\/\{id\}/, 'result']); // published round results (issue 19 results): the target branch's list
KINDS.push([/^\/notices\/\{id\}/, 'notice'], [/^\/objections\/\{id\}/, 'objection']);
KINDS.push([/^\/goals\/\{id\}/, 'goal'], [/^\/positions\/\{id\}/, 'position'], [/^\/mobile\/\{id\}/, 'mobile']); // annual goals (issue 22): the target branch's submitted goal
KINDS.push([/^\/news\/\{id\}/, 'newsItem'], [/^\/news-photos\/\{id\}/, 'newsPhoto'], [/^\/consultations\/\{id\}/, 'consultation'],
  [/^\/consultation-comments\/\{id\}/, 'comment']); // issue 22: the target branch's item, its photo, its consultation and the public's comment // public notices (issue 19): the target branch's notice and its objection
KINDS.push([/^\/carriers\/\{id\}/, 'carrier'], [/^\/carrier-entries\/\{id\}/, 'carrierEntry'], [/^\/carrier-files\/\{id\}/, 'carrierFile']); // issue 22: the target branch's carrier, the target member's entry and its file
const kindOf = (path) => (KINDS.find(([re]) => re.test(path)) || [])[1] || null;
/** The id a path's kind takes from a target, and the org that decides who may reach it. */
const idOf = (kind, t) => ({ org: t.org.id, board: t.org.id, member: t.member.id, card: t.member.id, pledge: t.pledge.id, evidence: t.evidence.id,
  window: t.window.id, batch: t.batch.id, draw: t.draw.id, round: t.round.id, campaign: t.campaign.id,
  rect: t.rect.id, rectEvidence: t.rectEvidence.id,
  feedback: t.feedback.id, ffile: t.ffile.id, account: t.account, notification: t.notification.id, bulletin: t.bulletin.id,
  schedule: t.schedule.id, report: t.report.id, reportFile: t.reportFile.id,
  inspection: t.inspection.id, finding: t.finding.id, findingFile: t.findingFile.id,
  liaisonPoint: t.liaisonPoint.id, liaisonVisit: t.liaisonVisit.id, liaisonFile: t.liaisonFile.id, liaisonLeader: t.liaisonLeader,
  ledgerEntry: t.ledgerEntry.id, ledgerFile: t.ledgerFile.id,
  meeting: t.meeting.id, meetingFile: t.meetingFile.id,
  quiz: t.quiz.id, studyNote: t.studyNote.id, post: t.post.id,
  contest: t.contest.id,
  award: t.award.id, nomination: t.nomination.id,
  result: t.result.id, /* published round results (issue 19 results) */
  notice: t.notice.id, objection: t.objection.id /* public notices (issue 19) */,
  goal: t.goal.id, position: t.position.id, mobile: t.mobile.id, newsItem: t.newsItem.id, newsPhoto: t.newsPhoto.id, consultation: t.consultation.id, comment: t.comment.id /* issue 22 */,
  carrier: t.carrier.id, carrierEntry: t.carrierEntry.id, carrierFile: t.carrierFile.id /* carriers, issue 22 */ })[kind]; // (study notes and quizzes, issue 18: the quiz's scope and the note's org are the target's)
const orgOf = (kind, t) => ({ member: t.member.org_id, card: t.member.org_id, pledge: t.pledge.org_id, evidence: t.pledge.org_id,
  account: t.member.org_id, schedule: t.org.parent_id, liaisonLeader: t.org.parent_id })[kind] || t.org.id;
const urlOf = (o, t) => '/api/v1' + o.path.replace('{id}', String(idOf(kindOf(o.path), t)));
const bodyOf = (o) => (BODIES[o.key] ? BODIES[o.key]() : undefined);

/** What the refused requests must leave alone: both targets, their parents, the audit log. */
async function state() {
  const get = async (p) => { const r = await office.get(p); assert.equal(r.status, 200, `${p}: ${r.text}`); return r.json; };
  const [a, b, pa, pb, ma, mb, audit, pla, plb, lista, listb, camps] = await Promise.all([
    get(`/api/v1/orgs/${A.org.id}?inactive=1`), get(`/api/v1/orgs/${B.org.id}?inactive=1`),
    get(`/api/v1/orgs/${A.org.parent_id}`), get(`/api/v1/orgs/${B.org.parent_id}`),
    get(`/api/v1/members/${A.member.id}`), get(`/api/v1/members/${B.member.id}`), get(`/api/v1/orgs/${rootId}/audit`),
    get(`/api/v1/pledges/${A.pledge.id}`), get(`/api/v1/pledges/${B.pledge.id}`),
    get(`/api/v1/orgs/${A.org.id}/pledges?per_page=500`), get(`/api/v1/orgs/${B.org.id}/pledges?per_page=500`),
    get(`/api/v1/orgs/${rootId}/pledges?per_page=1`)]);
  const st = { a, b, pa, pb, ma, mb, audit: audit.records[0].seq, pla, plb, lista, listb, total: camps.paging.total };
  // the server's date is the clock, not data: a run across midnight must not read as a change
  return JSON.parse(JSON.stringify(st, (k, v) => (k === 'today' ? undefined : v)));
}
async function unchanged(what, before) {
  assert.deepEqual(await state(), before, `${what} changed data although it was refused`);
}
function noLeak(what, r, t) {
  for (const s of t.secrets) assert.ok(!r.text.includes(s), `${what}: the answer reveals “${s}”: ${r.text.slice(0, 300)}`);
}

test('openapi.json lists only routes the matrix knows how to exercise', () => {
  assert.equal(spec.openapi.slice(0, 2), '3.');
  assert.ok(OPS.length >= 20, `only ${OPS.length} operations`);
  const problems = [];
  for (const o of OPS) {
    const idParam = (o.op.parameters || []).some((p) => p.name === 'id' && p.in === 'path');
    if (o.path.includes('{id}') !== idParam) problems.push(`${o.key}: {id} in the path and the parameters disagree`);
    if (o.path.includes('{id}') && !kindOf(o.path)) problems.push(`${o.key}: unknown kind of record behind {id}`);
    if (o.op['x-public'] && !PUBLIC.includes(o.key)) problems.push(`${o.key}: a new public route; review it and add it to PUBLIC`);
    if (o.method !== 'GET' && !o.op['x-public'] && !(o.key in BODIES)) problems.push(`${o.key}: changes state but BODIES has no request for it`);
    if (o.method !== 'GET' && !o.op['x-public'] && o.op['x-csrf'] !== true) problems.push(`${o.key}: changes state without CSRF protection`);
    if (!Array.isArray(o.op['x-roles']) || (!o.op['x-public'] && o.op['x-roles'].length === 0)) problems.push(`${o.key}: no x-roles`);
  }
  for (const k of Object.keys(BODIES)) if (!OPS.some((o) => o.key === k)) problems.push(`${k}: in BODIES but no longer in openapi.json`);
  assert.deepEqual(problems, []);
});

// Who calls what: for each caller and target, every {id} operation the caller may not use there.
const MATRIX = [
  ['secretary2 (a branch in another town)', 'secretary2', () => A],
  ['town (the office of the first town) on the second town', 'town', () => B],
  ['secretary on the second town', 'secretary', () => B],
  ['member in its own branch', 'member', () => A],
  ['leader in its own town', 'leader', () => A],
  ['secretary in its own branch', 'secretary', () => A],
  ['discipline (root)', 'discipline', () => A],
];
for (const [title, user, tgt] of MATRIX) {
  test(`permission matrix: ${title}`, async () => {
    const t = tgt();
    const mine = rolesOf(user);
    let checked = 0;
    for (const o of OPS.filter((x) => x.path.includes('{id}') && !x.op['x-public'])) { // public ones: below
      const roleOk = o.op['x-roles'].some((r) => mine.includes(r));
      const orgOfTarget = orgOf(kindOf(o.path), t);
      const expect = !roleOk ? [403, 'forbidden'] : !inScope(user, orgOfTarget) ? [404, 'not_found'] : null;
      if (!expect) continue; // allowed here: the other files test what it does
      const before = await state();
      const url = urlOf(o, t);
      const r = await as[user].req(o.method, url, { body: bodyOf(o) });
      const what = `${user}: ${o.method} ${url}`;
      try { expectError(r, ...expect); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
      noLeak(what, r, t);
      await unchanged(what, before);
      checked++;
    }
    assert.ok(checked > 0, 'the matrix exercised nothing for this caller');
  });
}

test('the specific refusals people rely on', async () => {
  // a secretary cannot create orgs; the member role cannot create or edit members
  expectError(await as.secretary.post(`/api/v1/orgs/${A.org.id}/children`, BODIES['POST /orgs/{id}/children']()), 403, 'forbidden');
  expectError(await as.member.post(`/api/v1/orgs/${A.org.id}/members`, BODIES['POST /orgs/{id}/members']()), 403, 'forbidden');
  expectError(await as.member.patch(`/api/v1/members/${A.member.id}`, { name: '党员自改' }), 403, 'forbidden');
  // the office of one town cannot touch the other town's orgs, nor move its own there
  expectError(await as.town.patch(`/api/v1/orgs/${B.org.id}`, { name: '跨镇改名' }), 404, 'not_found');
  expectError(await as.town.post(`/api/v1/orgs/${A.org.id}/move`, { parent_id: B.org.parent_id }), 404, 'not_found', 'parent_id');
  expectError(await as.town.patch(`/api/v1/members/${A.member.id}`, { org_id: B.org.id }), 404, 'not_found', 'org_id');
  // ...while reading and managing its own works
  assert.equal((await as.town.get(`/api/v1/orgs/${A.org.id}`)).status, 200);
  assert.equal((await as.member.get(`/api/v1/orgs/${A.org.id}/members`)).status, 200);
  assert.equal((await as.secretary2.get(`/api/v1/orgs/${B.org.id}`)).status, 200);
  assert.equal((await as.town.get(`/api/v1/orgs/${A.org.id}`)).json.org.name, A.org.name);
});

test('public routes answer without a session and show only approved-and-later pledges', async () => {
  const anon = new Client(srv.base);
  const PUBLIC_STATUSES = ['in_progress', 'completed', 'missed', 'rated', 'renewed'];
  const shown = allA.filter((p) => PUBLIC_STATUSES.includes(p.status));
  const owners = [...new Set(allA.map((p) => p.member_id).filter(Boolean))];
  assert.ok(owners.includes(draftA.member_id) && shown.length >= 4);
  // the pledges each public answer must show: a card shows its member's, a board its org's
  const targets = { card: owners.map((id) => [id, shown.filter((p) => p.member_id === id)]), board: [[A.org.id, shown]] };
  const hiddenTitles = HIDDEN.map((p) => p.title);
  let n = 0;
  for (const o of OPS.filter((x) => x.op['x-public'] && x.path.includes('{id}'))) {
    const kind = kindOf(o.path);
    assert.ok(targets[kind], `${o.key}: no public target for ${kind}`);
    for (const [id, expected] of targets[kind]) {
      const url = '/api/v1' + o.path.replace('{id}', String(id));
      const r = await anon.req(o.method, url);
      assert.equal(r.status, 200, `${url}: ${r.text.slice(0, 300)}`);
      const listed = [];
      JSON.stringify(r.json, (k, v) => { if (v && typeof v === 'object' && typeof v.status === 'string' && v.title) listed.push(v); return v; });
      for (const p of listed) assert.ok(PUBLIC_STATUSES.includes(p.status), `${url} shows a ${p.status} pledge: ${p.title}`);
      for (const p of expected) assert.ok(r.text.includes(p.title), `${url} lacks the public pledge “${p.title}”`);
      for (const t of hiddenTitles) assert.ok(!r.text.includes(t), `${url} reveals the unapproved pledge “${t}”`);
      // and the same for the pages behind the QR codes, and their print views
      const page = kind === 'card' ? `/p/card/${id}` : `/p/board/${id}`;
      for (const pth of [page, `${page}/print`]) {
        const h = await anon.get(pth);
        assert.equal(h.status, 200, `${pth}: ${h.status}`);
        if (pth === page || kind === 'board') // (a card's print view is a desk sign: name and QR only)
          for (const p of expected) assert.ok(h.text.includes(p.title), `${pth} lacks the public pledge “${p.title}”`);
        for (const t of hiddenTitles) assert.ok(!h.text.includes(t), `${pth} reveals the unapproved pledge “${t}”`);
      }
      n++;
    }
    const missing = await anon.req(o.method, '/api/v1' + o.path.replace('{id}', '987654321'));
    expectError(missing, 404, 'not_found');
  }
  assert.ok(n >= 2, 'no public route was exercised');
  // evidence of a public pledge is public under /p/, never under the API
  const ev = await anon.get(`/p/evidence/${A.evidence.id}`);
  assert.equal(ev.status, 200, `/p/evidence/${A.evidence.id}: ${ev.text.slice(0, 300)}`);
  assert.ok(ev.buf.equals(PNG), 'the public evidence is the uploaded file');
  expectError(await anon.get(`/api/v1/evidence/${A.evidence.id}`), 401, 'unauthenticated');
  const gone = await anon.get('/p/evidence/987654321'); // a page route: the HTML error page
  assert.equal(gone.status, 404);
  assert.match(gone.text, /佐证文件不存在/);
});

test('outsiders learn nothing about the first branch\'s pledges', async () => {
  const oracles = []; // checked at the end, so the rest still runs
  for (const u of ['secretary2', 'town', 'secretary']) {
    const t = u === 'secretary2' ? A : B, ownOrg = u === 'secretary2' ? B.org.id : A.org.id;
    if (u !== 'secretary2' && inScope(u, t.org.id)) continue;
    const missing = await as[u].get('/api/v1/pledges/987654321');
    const hidden = await as[u].get(`/api/v1/pledges/${t.pledge.id}`);
    assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json], `${u}: a hidden pledge looks like a missing one`);
    const em = await as[u].get('/api/v1/evidence/987654321');
    const eh = await as[u].get(`/api/v1/evidence/${t.evidence.id}`);
    try { assert.deepEqual([eh.status, eh.json], [em.status, em.json]); } catch { oracles.push(`${u}: GET /api/v1/evidence/<hidden> answers ${eh.text}, /api/v1/evidence/<missing> answers ${em.text}`); }
    noLeak(`${u} evidence`, eh, t);
    // their own lists hold nothing of the other side
    for (const p of [`/api/v1/orgs/${ownOrg}/pledges?per_page=500`, '/api/v1/me/pledges', `/orgs/${ownOrg}/pledges`, '/me/pledges']) {
      const r = await as[u].get(p);
      assert.equal(r.status, 200, `${u} ${p}: ${r.status}`);
      noLeak(`${u} ${p}`, r, t);
    }
  }
  // the pledge of the first branch reached through every other path: 404, nothing revealed
  for (const p of [`/pledges/${A.pledge.id}`, `/pledges/${A.pledge.id}/edit`, `/evidence/${A.evidence.id}`, `/orgs/${A.org.id}/pledges`,
    `/pledges/${draftA.id}`, `/api/v1/pledges/${draftA.id}`, `/api/v1/orgs/${A.org.id}/pledges?format=xlsx`, `/pledges/new?org=${A.org.id}`]) {
    const r = await as.secretary2.get(p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
    noLeak(p, r, A);
  }
  // an organisation pledge for the other branch, or with an id that is not there: refused, nothing made
  const before = await state();
  const body = { ...BODIES['POST /pledges'](), org_id: A.org.id };
  const r = await as.secretary2.post('/api/v1/pledges', body);
  expectError(r, 404, 'not_found');
  noLeak('secretary2 POST /api/v1/pledges for A', r, A);
  await unchanged('secretary2 POST /api/v1/pledges for A', before);
  assert.deepEqual(oracles, [], 'hidden evidence must look like missing evidence');
});

test('the member role may not review: approve, return, miss and rate are 403 even on its own pledges', async () => {
  const reviews = OPS.filter((o) => kindOf(o.path) === 'pledge' && o.method === 'POST' && !o.op['x-roles'].includes('member'));
  assert.deepEqual(reviews.map((o) => o.path.split('/').pop()).sort(), ['approve', 'miss', 'rate', 'return']);
  const submitted = allA.find((p) => p.status === 'submitted');
  for (const o of reviews) for (const p of [pA, draftA, submitted]) {
    const before = await state();
    const r = await as.member.req(o.method, '/api/v1' + o.path.replace('{id}', String(p.id)), { body: bodyOf(o) });
    expectError(r, 403, 'forbidden');
    await unchanged(`member ${o.key} on ${p.id}`, before);
    assert.equal((await office.get(`/api/v1/pledges/${p.id}`)).json.pledge.status, p.status);
  }
});

test('a missing org and a forbidden one look the same', async () => {
  const missing = await as.secretary2.get('/api/v1/orgs/987654321');
  const hidden = await as.secretary2.get(`/api/v1/orgs/${A.org.id}`);
  assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json]);
  const mm = await as.secretary2.get('/api/v1/members/987654321');
  const mh = await as.secretary2.get(`/api/v1/members/${A.member.id}`);
  assert.deepEqual([mh.status, mh.json], [mm.status, mm.json]);
});

test('pages about records outside the subtree are refused and reveal nothing', async () => {
  const pages = [`/orgs/${A.org.id}`, `/orgs/${A.org.id}/tree`, `/orgs/${A.org.id}/members/new`, `/orgs/${A.org.id}/import`,
    `/orgs/${A.org.id}/export`, `/members/${A.member.id}`, `/members/${A.member.id}/edit`, `/members/${A.member.id}/photo`,
    `/orgs/${A.org.id}/dashboard`, `/orgs/${A.org.id}/dashboard?format=xlsx`];
  for (const p of pages) {
    const r = await as.secretary2.get(p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
    noLeak(p, r, A);
  }
  for (const p of [`/orgs/${A.org.id}/new`, `/orgs/${A.org.id}/edit`, `/orgs/${A.org.id}/move`, `/orgs/${A.org.id}/audit`]) {
    const r = await as.secretary2.get(p);
    assert.equal(r.status, 403, `${p}: ${r.status}`);
    noLeak(p, r, A);
  }  // liaison points (liaison.c): the point's page and its photo, to a secretary of another town and to the town office of another town
  for (const [who, t] of [['secretary2', A], ['town', B]])
    for (const p of [`/liaison-points/${t.liaisonPoint.id}`, `/liaison-visit-files/${t.liaisonFile.id}`]) {
      const r = await as[who].get(p);
      assert.equal(r.status, 404, `${who} ${p}: ${r.status}`);
      noLeak(`${who} ${p}`, r, t);
    }
  for (const p of [`/liaison-leaders/${B.liaisonLeader}`, `/orgs/${B.org.parent_id}/liaison`, `/orgs/${B.org.parent_id}/liaison?format=xlsx`]) {
    const r = await as.town.get(p);
    assert.equal(r.status, 404, `town ${p}: ${r.status}`);
    noLeak(`town ${p}`, r, B);
  }
});

test('every non-public operation needs a session: 401 without one, nothing changed', async () => {
  const anon = new Client(srv.base);
  let n = 0;
  for (const o of OPS) {
    if (o.op['x-public']) continue;
    const before = await state();
    const url = urlOf(o, A);
    const r = await anon.req(o.method, url, { body: bodyOf(o) });
    try { expectError(r, 401, 'unauthenticated'); } catch (e) { e.message = `${o.method} ${url}: ${e.message}`; throw e; }
    noLeak(url, r, A);
    await unchanged(`${o.method} ${url} without a session`, before);
    n++;
  }
  assert.ok(n >= 18);
  // the public ones answer without a session
  assert.equal((await anon.get('/api/v1/openapi.json')).status, 200);
});

test('every state change needs the session\'s CSRF token: 403 csrf without it, nothing changed', async () => {
  // the office may do all of these on A; only the token is missing or wrong
  const tokens = [['no token', null], ['wrong token', 'ab'.repeat(32)], ['short token', 'ab'],
    ['another session\'s token', as.town.csrf]];
  const c = await loginAs(srv.base, 'office');
  let n = 0;
  for (const o of OPS.filter((x) => x.op['x-csrf'])) {
    for (const [what, tok] of tokens) {
      const before = await state();
      const url = urlOf(o, A);
      const headers = tok ? { 'X-CSRF-Token': tok } : {};
      const who = o.op['x-roles'].includes('office') ? c : as[o.op['x-roles'].includes('secretary') ? 'secretary'
        : o.op['x-roles'].includes('leader') ? 'leader' : 'member']; // routes the office may not use: a caller whose role may (a member's own: the member, issue 18)
      const r = await who.req(o.method, url, { body: bodyOf(o), headers, csrf: false });
      try { expectError(r, 403, 'csrf'); } catch (e) { e.message = `${o.method} ${url} with ${what}: ${e.message}`; throw e; }
      await unchanged(`${o.method} ${url} with ${what}`, before);
      n++;
    }
  }
  assert.ok(n >= 12 * tokens.length);
  // the session survived the refused logout
  assert.equal((await c.get('/api/v1/me')).status, 200);
  // and with the token the same client may change things
  const r = await c.patch(`/api/v1/orgs/${A.org.id}`, { name: A.org.name });
  assert.equal(r.status, 200, r.text);
});

// attendance rates on pages (issue 18): the matrix above covers GET /orgs/{id}/attendance from the
// route table; these are the refusals and answers people rely on, and /me/meetings (no {id}).
test('attendance rates: the organisation list for staff over it only, 我的组织生活 for members only', async () => {
  expectError(await as.secretary2.get(`/api/v1/orgs/${A.org.id}/attendance`), 404, 'not_found');
  expectError(await as.town.get(`/api/v1/orgs/${B.org.id}/attendance`), 404, 'not_found');
  expectError(await as.member.get(`/api/v1/orgs/${A.org.id}/attendance`), 403, 'forbidden');
  expectError(await as.leader.get(`/api/v1/orgs/${B.org.id}/attendance`), 404, 'not_found');
  for (const u of ['office', 'town', 'secretary']) assert.equal((await as[u].get(`/api/v1/orgs/${A.org.id}/attendance`)).status, 200, u);
  for (const u of ['office', 'discipline']) expectError(await as[u].get('/api/v1/me/meetings'), 403, 'forbidden');
  const mine = await ok(await as.member.get('/api/v1/me/meetings'));
  assert.equal(mine.attendance.member_id, as.member.user.member_id, 'only the member\'s own');
  // the member page shows attendance to staff over the member, not to another branch's secretary
  assert.ok((await ok(await as.secretary.get(`/api/v1/members/${A.member.id}`))).attendance);
  expectError(await as.secretary2.get(`/api/v1/members/${A.member.id}?year=2026`), 404, 'not_found');
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

// awards.test.mjs: 评选表彰 over HTTP on this file's own demo database, played as the district and
// town offices, two branch secretaries and as an attacker or a careless user: each eligibility rule
// passing and failing with its evidence frozen on the nomination; an ineligible candidate refused
// naming the rule; a candidate outside the nominator's subtree; a duplicate nomination (also two at
// once); six nominations at once against a quota of 3 (exactly 3 succeed); a share quota worked by
// hand; rules fixed once nominating opens; the vote rule (more than half of those entitled);
// approval only after a passed vote and its 公示 (ended, no objection open or upheld); revocation with a reason; the card and the board showing only
// approved, unrevoked honours; malformed bodies refused with nothing stored.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, sqlOn, Client, BACKEND, pgHolder, pgLockWait, smsCode, daysFromToday } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2] = await Promise.all(['office', 'town', 'secretary', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const YEAR = sql('SELECT substr(max(period_end), 1, 4) FROM review_round');
const ROUND = Number(sql('SELECT max(id) FROM review_round'));

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}${r.status >= 500 ? srv.log().slice(-1500) : ''}`);
  return r.json;
}
const membersOf = (org, n, skip = 0) => sql(`SELECT id FROM member WHERE org_id = ${org} AND active = 1 ORDER BY id LIMIT ${n} OFFSET ${skip}`).split('\n').map(Number);
const snap = () => sql(`SELECT (SELECT count(*) FROM award_kind) || '/' || (SELECT count(*) FROM award_rule) || '/' || (SELECT count(*) FROM award_nomination) || '/' || ` +
  `(SELECT coalesce(sum(row_version), 0) FROM award_nomination) || '/' || (SELECT coalesce(sum(row_version), 0) FROM award_kind) || '/' || (SELECT count(*) FROM audit_log)`);
async function refused(what, send, status, code, field) {
  const before = snap();
  const r = await send();
  let e;
  try { e = expectError(r, status, code, field); } catch (x) { x.message = `${what}: ${x.message}`; throw x; }
  assert.equal(snap(), before, `${what} was refused but changed something`);
  return e;
}
let seq = 0;
async function kind(c, org, { subject = 'member', quota = '3', rules = [] } = {}) {
  const k = (await ok(await c.post(`/api/v1/orgs/${org}/awards`, { name: `优秀共产党员${++seq}`, subject, year: YEAR, quota }), 201)).award;
  for (const [rule, param] of rules) await ok(await c.post(`/api/v1/awards/${k.id}/rules`, { rule, param: param || '' }), 201);
  return k;
}
const open = async (c, k) => (await ok(await c.post(`/api/v1/awards/${k.id}/open`, {}))).award;
const nominate = (c, k, subject_id, extra = {}) => c.post(`/api/v1/awards/${k.id}/nominations`, { subject_id: String(subject_id), reason: '群众公认，事迹突出', ...extra });

test('a kind is created with its rules as data; malformed bodies are refused naming the field, nothing stored', async () => {
  for (const [body, code, field] of [
    [{ name: '', subject: 'member', year: YEAR, quota: '3' }, 'invalid_name', 'name'],
    [{ name: '优秀', subject: 'people', year: YEAR, quota: '3' }, 'invalid_subject', 'subject'],
    [{ name: '优秀', subject: 'member', year: '1999', quota: '3' }, 'invalid_year', 'year'],
    [{ name: '优秀', subject: 'member', year: YEAR, quota: 'abc' }, 'invalid_quota', 'quota'],
    [{ name: '优秀', subject: 'member', year: YEAR, quota: '0' }, 'invalid_quota', 'quota'],
    [{ name: '优秀', subject: 'member', year: YEAR, quota: '120%' }, 'invalid_quota', 'quota'],
  ]) await refused(JSON.stringify(body), () => office.post(`/api/v1/orgs/${rootId}/awards`, body), 422, code, field);
  const k = await kind(office, rootId);
  assert.equal(k.status, 'draft');
  // the pages: the list with its form, the draft with the rule form (members: no reports_on_time)
  const lp = await office.get(`/orgs/${rootId}/awards`);
  assert.equal(lp.status, 200);
  assert.ok(lp.text.includes(k.name) && lp.text.includes('name="quota"'));
  const dp = await office.get(`/awards/${k.id}`);
  assert.equal(dp.status, 200);
  assert.ok(dp.text.includes('value="attendance_min"') && !dp.text.includes('value="reports_on_time"'), 'the rules a members\' award may take');
  // a refused form is shown again with its message
  const bad = await office.post(`/awards/${k.id}/rules`, new URLSearchParams({ rule: 'satisfaction_min', param: '200/1' }).toString(),
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${srv.base}/awards/${k.id}` } });
  assert.equal(bad.status, 422);
  assert.ok(bad.text.includes('satisfaction_min') && bad.text.includes('id="rule"'), bad.text.slice(0, 500));
  assert.match(k.quota_rule, /名额 3 名/);
  await refused('unknown rule', () => office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'be_nice' }), 422, 'invalid_rule', 'rule');
  await refused('a members-only rule on nothing', () => office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'reports_on_time' }), 422, 'invalid_rule', 'rule');
  await refused('bad satisfaction param', () => office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'satisfaction_min', param: '90' }), 422, 'invalid_param', 'param');
  await refused('bad attendance param', () => office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'attendance_min', param: '1200' }), 422, 'invalid_param', 'param');
  await refused('a param where none is taken', () => office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'no_open_rect', param: '3' }), 422, 'invalid_param', 'param');
  const eo = await refused('a rule given as an object', () => office.req('POST', `/api/v1/awards/${k.id}/rules`, { body: { rule: { x: 1 } } }), 422, 'invalid_rule', 'rule');
  assert.ok(!eo.message.includes('\u0001'), eo.message);
  const r = await ok(await office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'satisfaction_min', param: ' 90/30 ' }), 201);
  assert.deepEqual(r.rules.map((x) => [x.rule, x.param]), [['satisfaction_min', '90/30']]);
  // the same rule again replaces its parameter; removal works in draft
  const r2 = await ok(await office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'satisfaction_min', param: '80/10' }), 201);
  assert.deepEqual(r2.rules.map((x) => x.param), ['80/10']);
  await ok(await office.post(`/api/v1/awards/${k.id}/rules/remove`, { rule: 'satisfaction_min' }));
  await ok(await office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'no_pledge_miss' }), 201);
  await open(office, k);
  // rules cannot change after the kind opens
  await refused('a rule after opening', () => office.post(`/api/v1/awards/${k.id}/rules`, { rule: 'grade_excellent' }), 409, 'not_draft', 'status');
  await refused('a removal after opening', () => office.post(`/api/v1/awards/${k.id}/rules/remove`, { rule: 'no_pledge_miss' }), 409, 'not_draft', 'status');
  await refused('open twice', () => office.post(`/api/v1/awards/${k.id}/open`, {}), 409, 'not_draft', 'status');
  // only an office over it runs it: the town's office sees a district kind, cannot change it
  await refused('town opens the district kind', () => town.post(`/api/v1/awards/${k.id}/close`, {}), 404, 'not_found');
  await refused('a member of another branch runs nothing', () => secretary2.post(`/api/v1/awards/${k.id}/close`, {}), 403, 'forbidden');
});

test('each rule passes and fails with its evidence; an ineligible candidate is refused naming the rule', async () => {
  const [m1, m2, m3, m4] = membersOf(branchA, 4, 10);
  // grade_excellent: m1 优秀 and approved; m2 优秀 but still pending approval
  for (const [m, ap] of [[m1, 'approved'], [m2, 'pending']]) {
    sql(`DELETE FROM grade WHERE round_id = ${ROUND} AND target_kind = 'member' AND target_id = ${m}`);
    sql(`INSERT INTO grade (round_id, target_kind, target_id, org_id, score, computed, final, meets, approval, updated_at) VALUES ` +
      `(${ROUND}, 'member', ${m}, ${branchA}, 9500, 'excellent', 'excellent', 1, '${ap}', 0)`);
  }
  const kg = await kind(office, rootId, { rules: [['grade_excellent']] });
  await open(office, kg);
  let e = await refused('pending grade', () => nominate(secretary, kg, m2), 422, 'not_eligible', 'subject_id');
  assert.match(e.message, /年度评议等次为优秀/);
  assert.match(e.message, /grade_excellent/);
  assert.match(e.message, /待上级审批/);
  const n1 = (await ok(await nominate(secretary, kg, m1), 201)).nomination;
  assert.equal(n1.status, 'nominated');
  assert.equal(n1.evidence.length, 1);
  assert.deepEqual([n1.evidence[0].rule, n1.evidence[0].pass], ['grade_excellent', true]);
  assert.match(n1.evidence[0].evidence, /优秀（已审批）/);
  // the evidence is frozen: the grade changing later does not change it
  sql(`UPDATE grade SET final = 'qualified' WHERE round_id = ${ROUND} AND target_kind = 'member' AND target_id = ${m1}`);
  const seen = (await ok(await office.get(`/api/v1/awards/${kg.id}`))).nominations.find((n) => n.id === n1.id);
  assert.match(seen.evidence[0].evidence, /优秀（已审批）/);

  // no_pledge_miss: a pledge of the year missed without justification
  const title = `无故未兑现的承诺${seq}`;
  sql(`UPDATE pledge SET status = 'missed', miss_kind = 'unjustified', missed_on = '${YEAR}-06-01', due_date = '${YEAR}-05-31', title = '${title}' ` +
    `WHERE id = (SELECT min(id) FROM pledge WHERE member_id = ${m3})`);
  const hasPledge = Number(sql(`SELECT count(*) FROM pledge WHERE member_id = ${m3}`));
  const kp = await kind(office, rootId, { rules: [['no_pledge_miss']] });
  await open(office, kp);
  if (hasPledge) {
    e = await refused('unjustified miss', () => nominate(secretary, kp, m3), 422, 'not_eligible', 'subject_id');
    assert.match(e.message, /no_pledge_miss/);
    assert.ok(e.message.includes(title), e.message);
  }
  const np = (await ok(await nominate(secretary, kp, m4), 201)).nomination;
  assert.match(np.evidence[0].evidence, /无无故未兑现/);

  // satisfaction_min: the branch's roll-ups (organisations) and the member's own ballots
  const [valid, good, all] = sql(`SELECT ballots_valid, answers_satisfied + answers_basic, answers_satisfied + answers_basic + answers_unsatisfied ` +
    `FROM rollup WHERE round_id = ${ROUND} AND org_id = ${branchA}`).split('|').map(Number);
  assert.ok(valid > 0 && all > 0, 'the demo has ballots on the first branch');
  const ks = await kind(office, townId === rootId ? rootId : rootId, { subject: 'org', rules: [['satisfaction_min', `1/${valid + 1}`]] });
  await open(office, ks);
  e = await refused('too few ballots', () => nominate(office, ks, branchA), 422, 'not_eligible', 'subject_id');
  assert.match(e.message, new RegExp(`有效票 ${valid} 张`));
  assert.match(e.message, /满意率/);
  const ks2 = await kind(office, rootId, { subject: 'org', rules: [['satisfaction_min', `${Math.floor(good * 100 / all)}/${valid}`]] });
  await open(office, ks2);
  const ns = (await ok(await nominate(secretary, ks2, branchA), 201)).nomination; // a branch nominates itself
  assert.equal(ns.evidence[0].pass, true);
  assert.equal(ns.nominator_org_id, branchA);

  // no_open_rect: an open rectification past due in branch B
  sql(`INSERT INTO rectification (org_id, source, problem, measure, owner, due_date, status, created_at, updated_at) VALUES ` +
    `(${branchB}, 'manual', '台账不全', '补齐台账', '某人', '2020-01-01', 'open', 0, 0)`);
  const kr = await kind(office, rootId, { rules: [['no_open_rect']] });
  await open(office, kr);
  const [mb] = membersOf(branchB, 1);
  e = await refused('open rectification', () => nominate(secretary2, kr, mb), 422, 'not_eligible', 'subject_id');
  assert.match(e.message, /逾期未完成（最早应于 2020-01-01 完成）/);
  const nr = (await ok(await nominate(secretary, kr, m4), 201)).nomination;
  assert.match(nr.evidence[0].evidence, /没有逾期未完成的整改/);

  // reports_on_time (organisations): a late report of the year fails, none passes
  const late = Number(sql(`SELECT count(*) FROM report WHERE org_id = ${branchA} AND substr(due_date, 1, 4) = '${YEAR}' AND late_workdays > 0`));
  const lateB = Number(sql(`SELECT count(*) FROM report WHERE org_id = ${branchB} AND substr(due_date, 1, 4) = '${YEAR}' AND (late_workdays > 0 OR (status IN ('due','returned') AND first_submitted_on = '' AND due_date < '${new Date().toISOString().slice(0, 10)}'))`));
  if (!late) sql(`UPDATE report SET late_workdays = 2 WHERE id = (SELECT min(id) FROM report WHERE org_id = ${branchA})`);
  assert.equal(lateB, 0, 'the demo has a branch reporting on time');
  const kt = await kind(office, rootId, { subject: 'org', rules: [['reports_on_time']] });
  await open(office, kt);
  e = await refused('a late report', () => nominate(secretary, kt, branchA), 422, 'not_eligible', 'subject_id');
  assert.match(e.message, /reports_on_time/);
  assert.match(e.message, /迟报 [1-9]/);
  const nt = (await ok(await nominate(secretary2, kt, branchB), 201)).nomination;
  assert.match(nt.evidence[0].evidence, /迟报 0 份，逾期未报 0 份/);

  // attendance_min (members): over the year's held meetings
  const att = sql(`SELECT a.member_id FROM meeting_attendee a JOIN meeting m ON m.id = a.meeting_id WHERE m.status = 'held' AND substr(m.held_on, 1, 4) = '${YEAR}' ` +
    `AND m.org_id = ${branchA} GROUP BY a.member_id HAVING sum(CASE WHEN a.state = 'present' THEN 1 ELSE 0 END) > 0 ` +
    `AND sum(CASE WHEN a.state <> 'present' THEN 1 ELSE 0 END) > 0 ORDER BY a.member_id LIMIT 1`);
  assert.ok(att, 'the demo has a member of the first branch who missed a meeting');
  const ka = await kind(office, rootId, { rules: [['attendance_min', '1000']] });
  await open(office, ka);
  e = await refused('attendance below 100%', () => nominate(secretary, ka, Number(att)), 422, 'not_eligible', 'subject_id');
  assert.match(e.message, /出席率 \d+(\.\d)?%（要求 ≥ 100\.0%）/);
  const ka2 = await kind(office, rootId, { rules: [['attendance_min', '1']] });
  await open(office, ka2);
  const na = (await ok(await nominate(secretary, ka2, Number(att)), 201)).nomination;
  assert.match(na.evidence[0].evidence, /应参加 \d+ 次，出席 [1-9]\d* 次/);
});

test('who may nominate whom: the nominator\'s subtree, the kind\'s scope, once per candidate', async () => {
  const k = await kind(office, townId);
  await open(office, k);
  const [a1] = membersOf(branchA, 1, 20);
  const [b1] = membersOf(branchB, 1, 20);
  const [a2] = sql(`SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE o.parent_id = ${townId} AND o.id <> ${branchA} AND m.active = 1 ORDER BY m.id LIMIT 1`).split('\n').map(Number);
  // a member of another branch of the town: outside the secretary's subtree
  await refused('another branch\'s member', () => nominate(secretary, k, a2), 422, 'invalid_candidate', 'subject_id');
  // a member outside the kind's scope (another town), even by the district office
  await refused('outside the kind', () => nominate(office, k, b1), 422, 'invalid_candidate', 'subject_id');
  // a branch of another town does not see the kind at all
  await refused('another town\'s secretary', () => nominate(secretary2, k, b1), 404, 'not_found');
  // ids that are no member, edited ids, a retired member
  await refused('no such member', () => nominate(secretary, k, 99999999), 422, 'invalid_candidate', 'subject_id');
  await refused('an id with junk', () => nominate(secretary, k, `${a1}junk`), 400, 'invalid_id', 'subject_id');
  await refused('no reason', () => nominate(secretary, k, a1, { reason: '' }), 400, 'required', 'reason');
  await refused('no candidate', () => secretary.post(`/api/v1/awards/${k.id}/nominations`, { reason: '理由' }), 422, 'invalid_candidate', 'subject_id');
  const n = (await ok(await nominate(secretary, k, a1), 201)).nomination;
  assert.equal(n.nominator_org_id, branchA);
  assert.equal(n.subject_name, sql(`SELECT name FROM member WHERE id = ${a1}`));
  await refused('the same again', () => nominate(town, k, a1), 409, 'already_nominated', 'subject_id');
  // the secretary of another town cannot withdraw it; the nominating secretary can, then it may be nominated again
  await refused('withdraw by another town', () => secretary2.post(`/api/v1/award-nominations/${n.id}/withdraw`, {}), 404, 'not_found');
  assert.equal((await ok(await secretary.post(`/api/v1/award-nominations/${n.id}/withdraw`, {}))).nomination.status, 'withdrawn');
  await refused('withdraw twice', () => secretary.post(`/api/v1/award-nominations/${n.id}/withdraw`, {}), 409, 'not_nominated', 'status');
  const again = (await ok(await nominate(secretary, k, a1), 201)).nomination;
  // two identical nominations at once: one is stored
  const [x] = membersOf(branchA, 1, 21);
  const rs = await Promise.all([nominate(secretary, k, x), nominate(town, k, x)]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409], rs.map((r) => r.text).join('\n'));
  expectError(rs.find((r) => r.status === 409), 409, 'already_nominated');
  assert.equal(sql(`SELECT count(*) FROM award_nomination WHERE kind_id = ${k.id} AND subject_id = ${x} AND status <> 'withdrawn'`), '1');
  // after closing, no withdrawal and no nomination
  await ok(await office.post(`/api/v1/awards/${k.id}/close`, {}));
  await refused('nominate after closing', () => nominate(secretary, k, membersOf(branchA, 1, 22)[0]), 409, 'not_open', 'status');
  await refused('withdraw after closing', () => secretary.post(`/api/v1/award-nominations/${again.id}/withdraw`, {}), 409, 'not_open', 'status');
});

test('six nominations at once against a quota of 3: exactly three are stored', async () => {
  const k = await kind(office, rootId, { quota: '3' });
  await open(office, k);
  const ids = [...membersOf(branchA, 3, 23), ...membersOf(branchB, 3, 10)];
  const rs = await Promise.all(ids.map((id, i) => nominate(i % 2 ? office : (i < 3 ? secretary : secretary2), k, id)));
  const codes = rs.map((r) => r.status);
  assert.equal(codes.filter((c) => c === 201).length, 3, rs.map((r) => r.text.slice(0, 200)).join('\n'));
  for (const r of rs.filter((x) => x.status !== 201)) expectError(r, 409, 'quota_full', 'subject_id');
  assert.equal(sql(`SELECT count(*) FROM award_nomination WHERE kind_id = ${k.id}`), '3');
  // a withdrawal frees a place
  const first = rs.find((r) => r.status === 201).json.nomination;
  await ok(await office.post(`/api/v1/award-nominations/${first.id}/withdraw`, {}));
  const left = ids.filter((id) => !rs.some((r) => r.status === 201 && r.json.nomination.subject_id === id));
  await ok(await nominate(office, k, left[0]), 201);
  await refused('over the quota', () => nominate(office, k, left[1]), 409, 'quota_full', 'subject_id');
});

test('a share quota: per cent of the eligible when nominating opens, rounded down, at least 1', async () => {
  // branch B's members; one of them made ineligible by an unjustified miss
  const members = sql(`SELECT id FROM member WHERE org_id = ${branchB} AND active = 1 ORDER BY id`).split('\n').map(Number);
  const k = await kind(office, branchB, { quota: '10%', rules: [['no_pledge_miss']] });
  assert.match(k.quota_rule, /10%（向下取整，有符合条件者时至少 1 名）/);
  const missing = Number(sql(`SELECT count(DISTINCT member_id) FROM pledge WHERE member_id IN (SELECT id FROM member WHERE org_id = ${branchB} AND active = 1) ` +
    `AND miss_kind = 'unjustified' AND status NOT IN ('draft','submitted','returned') AND (substr(due_date, 1, 4) = '${YEAR}' OR substr(missed_on, 1, 4) = '${YEAR}')`));
  const eligible = members.length - missing;
  const o = await open(office, k);
  assert.equal(o.eligible_n, eligible);
  assert.equal(o.quota_n, Math.max(1, Math.floor(eligible * 10 / 100)));
  // worked by hand: 10% of 5 eligible is 0.5, rounded down 0, at least 1
  const k5 = await kind(office, branchB, { quota: '10%' });
  sql(`UPDATE member SET active = 0 WHERE org_id = ${branchB} AND id NOT IN (${members.slice(0, 5).join(',')})`);
  try {
    const o5 = await open(office, k5);
    assert.deepEqual([o5.eligible_n, o5.quota_n], [5, 1]);
    const k50 = await kind(office, branchB, { quota: '50%' });
    const o50 = await open(office, k50); // 2.5 → 2
    assert.deepEqual([o50.eligible_n, o50.quota_n], [5, 2]);
  } finally {
    sql(`UPDATE member SET active = 1 WHERE id IN (${members.join(',')})`);
  }
});

test('the office\'s vote, approval only after a passed vote, revocation; honours on the card and the board', async () => {
  const k = await kind(office, rootId);
  await open(office, k);
  const [p, q] = membersOf(branchA, 2, 26);
  const np = (await ok(await nominate(secretary, k, p), 201)).nomination;
  const nq = (await ok(await nominate(secretary, k, q), 201)).nomination;
  const today = new Date().toISOString().slice(0, 10);
  const vote = (n, b) => office.post(`/api/v1/award-nominations/${n.id}/vote`, { for: '5', against: '3', abstain: '1', entitled: '9', date: today, note: '区委常委会', ...b });
  await refused('vote while nominating', () => vote(np), 409, 'not_closed', 'status');
  await refused('approve while nominating', () => office.post(`/api/v1/award-nominations/${np.id}/approve`, {}), 409, 'not_closed', 'status');
  await ok(await office.post(`/api/v1/awards/${k.id}/close`, {}));
  await refused('finish before the votes', () => office.post(`/api/v1/awards/${k.id}/finish`, {}), 409, 'unvoted', 'status');
  await refused('votes over the entitled', () => vote(np, { for: '6', against: '3', abstain: '1' }), 422, 'invalid_votes', 'for');
  await refused('a vote as text', () => vote(np, { for: '五' }), 422, 'invalid_votes', 'for');
  await refused('a vote in the future', () => vote(np, { date: '2099-01-01' }), 422, 'invalid_date', 'date');
  await refused('no entitled', () => vote(np, { entitled: '0' }), 422, 'invalid_entitled', 'entitled');
  await refused('a secretary votes', () => secretary.post(`/api/v1/award-nominations/${np.id}/vote`, { for: '9', against: '0', abstain: '0', entitled: '9', date: today }), 403, 'forbidden');
  await refused('approve before the vote', () => office.post(`/api/v1/award-nominations/${np.id}/approve`, {}), 409, 'not_passed', 'status');
  // 5 of 9 is more than half: passed; 4 of 8 is not
  const vp = (await ok(await vote(np))).nomination;
  assert.equal(vp.status, 'passed');
  assert.deepEqual(vp.vote, { for: 5, against: 3, abstain: 1, entitled: 9, date: today, note: '区委常委会', passed: true });
  const vq = (await ok(await vote(nq, { for: '4', against: '4', abstain: '0', entitled: '8' }))).nomination;
  assert.equal(vq.status, 'rejected');
  await refused('vote twice', () => vote(np), 409, 'already_voted', 'status');
  await refused('approve a rejected one', () => office.post(`/api/v1/award-nominations/${nq.id}/approve`, {}), 409, 'not_passed', 'status');
  await refused('town approves the district\'s', () => town.post(`/api/v1/award-nominations/${np.id}/approve`, {}), 404, 'not_found');
  // 公示: none yet, so no approval; a bad period and a secretary refused; the notice lists only the
  // passed nomination; a second notice has nothing to add; approval waits for the period's end
  await refused('approve before 公示', () => office.post(`/api/v1/award-nominations/${np.id}/approve`, {}), 409, 'not_noticed', 'status');
  await refused('a period of words', () => office.post(`/api/v1/awards/${k.id}/notice`, { workdays: '五天' }), 422, 'invalid_workdays', 'workdays');
  await refused('a period of 31 days', () => office.post(`/api/v1/awards/${k.id}/notice`, { workdays: '31' }), 422, 'invalid_workdays', 'workdays');
  await refused('a secretary opens 公示', () => secretary.post(`/api/v1/awards/${k.id}/notice`, {}), 403, 'forbidden');
  const nt = await ok(await office.post(`/api/v1/awards/${k.id}/notice`, {}), 201);
  const notice = (await ok(await office.get(`/api/v1/notices/${nt.notice_id}`))).notice;
  assert.deepEqual(notice.items.map((x) => [x.subject_id, x.honour]), [[p, `${YEAR}年度${k.name}`]], JSON.stringify(notice.items));
  assert.equal(notice.workdays, 5);
  await refused('公示 twice', () => office.post(`/api/v1/awards/${k.id}/notice`, {}), 409, 'nothing_to_notice', 'status');
  await refused('approve during 公示', () => office.post(`/api/v1/award-nominations/${np.id}/approve`, {}), 409, 'notice_pending', 'status');
  const during = (await ok(await office.get(`/api/v1/awards/${k.id}`))).nominations.find((x) => x.id === np.id);
  assert.equal(during.notice.state, 'pending');
  assert.equal(during.can_approve, false);
  sql(`UPDATE notice SET end_date = '${daysFromToday(-1)}' WHERE id = ${nt.notice_id}`); // the period has run out
  assert.equal((await ok(await office.get(`/api/v1/awards/${k.id}`))).nominations.find((x) => x.id === np.id).can_approve, true);
  // before approval: no honour anywhere
  const anon = new Client(srv.base);
  const card = async (id) => (await ok(await anon.get(`/api/v1/public/cards/${id}`))).card.record.honours;
  const board = async (id) => (await ok(await anon.get(`/api/v1/public/boards/${id}`))).board;
  assert.deepEqual(await card(p), []);
  const ap = (await ok(await office.post(`/api/v1/award-nominations/${np.id}/approve`, {}))).nomination;
  assert.equal(ap.status, 'awarded');
  await refused('approve twice', () => office.post(`/api/v1/award-nominations/${np.id}/approve`, {}), 409, 'not_passed', 'status');
  const h = await card(p);
  assert.deepEqual(h.map((x) => [x.name, x.year, x.office]), [[k.name, Number(YEAR), sql(`SELECT name FROM org WHERE id = ${rootId}`)]]);
  assert.ok(!('revoked' in h[0]) && !('revoke_reason' in h[0]), 'the public card carries no staff fields');
  assert.deepEqual(await card(q), []);
  const b = await board(branchA);
  assert.ok(b.member_honours.some((x) => x.name === k.name && x.member_name === ap.subject_name));
  // the member page (staff) shows it
  const mp = await ok(await secretary.get(`/api/v1/members/${p}`));
  assert.ok((mp.honours || []).some((x) => x.name === k.name && !x.revoked), JSON.stringify(mp.honours));
  await ok(await office.post(`/api/v1/awards/${k.id}/finish`, {}));
  // the bulletin's section: honours approved in the period, frozen at publication; the recount
  // reproduces it, and reports the honour revoked afterwards
  const now = new Date();
  const period = `${now.getFullYear()}Q${Math.floor(now.getMonth() / 3) + 1}`;
  const bd = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, { title: `评选表彰通报${seq}`, period, sections: 'awards' }), 201)).bulletin;
  const sec = (await ok(await office.get(`/api/v1/bulletins/${bd.id}`))).bulletin.sections.find((x) => x.kind === 'awards');
  const row = sec.figures.rows.find((x) => x.key === `award:${np.id}`);
  assert.ok(row, JSON.stringify(sec.figures));
  assert.deepEqual(row.cells.slice(0, 3), [k.name, YEAR, ap.subject_name]);
  assert.ok(!sec.figures.rows.some((x) => x.key === `award:${nq.id}`), 'a rejected nomination is no honour');
  const pb = (await ok(await office.post(`/api/v1/bulletins/${bd.id}/publish`, { version: bd.version }))).bulletin;
  let rc = srv.cli(['recount', '--bulletin', String(pb.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  // revocation: a reason is required; then gone from the card and the board, marked for staff
  await refused('revoke without a reason', () => office.post(`/api/v1/award-nominations/${np.id}/revoke`, { reason: ' ' }), 400, 'required', 'reason');
  await refused('revoke a rejected one', () => office.post(`/api/v1/award-nominations/${nq.id}/revoke`, { reason: '不实' }), 409, 'not_awarded', 'status');
  const rv = (await ok(await office.post(`/api/v1/award-nominations/${np.id}/revoke`, { reason: '事迹材料不实' }))).nomination;
  assert.equal(rv.status, 'revoked');
  assert.equal(rv.revoke_reason, '事迹材料不实');
  assert.deepEqual(await card(p), []);
  assert.ok(!(await board(branchA)).member_honours.some((x) => x.name === k.name));
  rc = srv.cli(['recount', '--bulletin', String(pb.id)]);
  assert.equal(rc.status, 1, 'the recount reports the honour revoked after publication: ' + rc.stdout + rc.stderr);
  const mp2 = await ok(await secretary.get(`/api/v1/members/${p}`));
  assert.ok(mp2.honours.some((x) => x.name === k.name && x.revoked && x.revoke_reason === '事迹材料不实'));
  // every change audited
  const acts = sql(`SELECT action FROM audit_log WHERE entity = 'award_nomination' AND entity_id = ${np.id} ORDER BY seq`).split('\n');
  assert.deepEqual(acts, ['vote', 'approve', 'revoke']);
  // the page renders, the spreadsheet downloads
  const page = await office.get(`/awards/${k.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('事迹材料不实'));
  const x = await office.get(`/api/v1/awards/${k.id}?format=xlsx`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
});

test('a draft is the office\'s; an open kind is seen by staff in its area, not by other towns', async () => {
  const k = await kind(office, townId);
  await refused('a draft to a secretary', () => secretary.get(`/api/v1/awards/${k.id}`), 404, 'not_found');
  await open(office, k);
  const [a1] = membersOf(branchA, 1, 28);
  await ok(await nominate(secretary, k, a1), 201);
  const seen = await ok(await secretary.get(`/api/v1/awards/${k.id}`));
  assert.equal(seen.nominations.length, 1);
  assert.equal(seen.can_nominate, true);
  await refused('another town', () => secretary2.get(`/api/v1/awards/${k.id}`), 404, 'not_found');
  const list = await ok(await secretary2.get(`/api/v1/orgs/${branchB}/awards`));
  assert.ok(!list.awards.some((x) => x.id === k.id));
  const listA = await ok(await secretary.get(`/api/v1/orgs/${branchA}/awards`));
  assert.ok(listA.awards.some((x) => x.id === k.id));
});

test('a withdrawal racing the close: after the close commits, the withdrawal is refused, never stored on a closed kind', async () => {
  const k = await kind(office, rootId);
  await open(office, k);
  const [a1, a2] = membersOf(branchA, 2, 29);
  const n1 = (await ok(await nominate(secretary, k, a1), 201)).nomination;
  const n2 = (await ok(await nominate(secretary, k, a2), 201)).nomination;
  if (BACKEND !== 'pg') {
    // SQLite: one writer; whichever comes first, a withdrawal is never stored after the close
    const [w, c] = await Promise.all([secretary.post(`/api/v1/award-nominations/${n1.id}/withdraw`, {}), office.post(`/api/v1/awards/${k.id}/close`, {})]);
    assert.equal(c.status, 200, c.text);
    if (w.status !== 200) expectError(w, 409, 'not_open', 'status');
    const order = sql(`SELECT action FROM audit_log WHERE (entity = 'award' AND entity_id = ${k.id} AND action = 'close') OR ` +
      `(entity = 'award_nomination' AND entity_id = ${n1.id}) ORDER BY seq`).split('\n');
    assert.deepEqual(order, w.status === 200 ? ['withdraw', 'close'] : ['close']);
    return;
  }
  // PostgreSQL: the close held open on the kind's row; the withdrawal waits for it, then sees it closed
  const h = pgHolder(srv.db);
  await h.run(`BEGIN; UPDATE award_kind SET status = 'closed', row_version = row_version + 1 WHERE id = ${k.id}`);
  const w = secretary.post(`/api/v1/award-nominations/${n2.id}/withdraw`, {});
  await pgLockWait(srv.db, 'UPDATE award_kind SET row_version = row_version WHERE id = (SELECT kind_id%');
  await h.run('COMMIT');
  h.end();
  expectError(await w, 409, 'not_open', 'status');
  assert.equal(sql(`SELECT status FROM award_nomination WHERE id = ${n2.id}`), 'nominated');
  assert.equal(sql(`SELECT count(*) FROM award_nomination WHERE id = ${n1.id} AND status = 'nominated'`), '1');
});

test('places allocated to organisations: each holds within the overall quota', async () => {
  const k = await kind(office, rootId, { quota: '3' });
  const alloc = (org, places) => office.post(`/api/v1/awards/${k.id}/allocations`, { org_id: String(org), places: String(places) });
  await refused('the office itself', () => alloc(rootId, 1), 422, 'invalid_org', 'org_id');
  await refused('no such org', () => alloc(99999999, 1), 422, 'invalid_org', 'org_id');
  await refused('places as text', () => alloc(branchA, 'x'), 422, 'invalid_places', 'places');
  await refused('more than the quota', () => alloc(branchA, 4), 422, 'invalid_places', 'places');
  await ok(await alloc(branchA, 1));
  await ok(await alloc(townId, 2));
  await refused('together more than the quota', () => alloc(branchB, 1), 422, 'invalid_places', 'places');
  await ok(await alloc(townId, 0)); // taken back
  await ok(await alloc(branchB, 2));
  await open(office, k);
  await refused('an allocation after opening', () => alloc(branchB, 1), 409, 'not_draft', 'status');
  const page = await ok(await office.get(`/api/v1/awards/${k.id}`));
  assert.deepEqual(page.allocations.map((x) => [x.org_id, x.places, x.used]).sort(), [[branchA, 1, 0], [branchB, 2, 0]].sort());
  const [a1, a2] = membersOf(branchA, 2, 31);
  await ok(await nominate(secretary, k, a1), 201);
  const e = await refused('the branch\'s place is taken', () => nominate(office, k, a2), 409, 'org_quota_full', 'subject_id');
  assert.match(e.message, /名额 1 名已满/);
  const [b1, b2] = membersOf(branchB, 2, 14);
  await ok(await nominate(secretary2, k, b1), 201);
  await ok(await nominate(secretary2, k, b2), 201);
  await refused('the overall quota', () => nominate(office, k, membersOf(branchA, 1, 32)[0]), 409, 'quota_full', 'subject_id');
});

test('two votes at once, two approvals at once: one of each is recorded', async () => {
  const k = await kind(office, rootId);
  await open(office, k);
  const [a1] = membersOf(branchA, 1, 5);
  const n = (await ok(await nominate(secretary, k, a1), 201)).nomination;
  await ok(await office.post(`/api/v1/awards/${k.id}/close`, {}));
  const today = new Date().toISOString().slice(0, 10);
  const votes = await Promise.all([['6', '9'], ['7', '9']].map(([y, en]) => office.post(`/api/v1/award-nominations/${n.id}/vote`,
    { for: y, against: '0', abstain: '0', entitled: en, date: today })));
  assert.deepEqual(votes.map((r) => r.status).sort(), [200, 409], votes.map((r) => r.text).join('\n'));
  expectError(votes.find((r) => r.status === 409), 409, 'already_voted', 'status');
  const won = votes.find((r) => r.status === 200).json.nomination;
  assert.equal(sql(`SELECT status || '/' || vote_for FROM award_nomination WHERE id = ${n.id}`), `${won.status}/${won.vote.for}`);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'award_nomination' AND entity_id = ${n.id} AND action = 'vote'`), '1');
  assert.equal(won.status, 'passed');
  const nt = await ok(await office.post(`/api/v1/awards/${k.id}/notice`, { workdays: '3' }), 201);
  sql(`UPDATE notice SET end_date = '${daysFromToday(-1)}' WHERE id = ${nt.notice_id}`);
  const aps = await Promise.all([0, 1].map(() => office.post(`/api/v1/award-nominations/${n.id}/approve`, {})));
  assert.deepEqual(aps.map((r) => r.status).sort(), [200, 409]);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'award_nomination' AND entity_id = ${n.id} AND action = 'approve'`), '1');
});

test('an objection during 公示 holds the approval; upheld refuses it, dismissed lets it through', async () => {
  const k = await kind(office, rootId);
  await open(office, k);
  const [a1, a2] = membersOf(branchA, 2, 8);
  const n1 = (await ok(await nominate(secretary, k, a1), 201)).nomination;
  const n2 = (await ok(await nominate(secretary, k, a2), 201)).nomination;
  await ok(await office.post(`/api/v1/awards/${k.id}/close`, {}));
  const today = new Date().toISOString().slice(0, 10);
  for (const n of [n1, n2])
    await ok(await office.post(`/api/v1/award-nominations/${n.id}/vote`, { for: '7', against: '0', abstain: '0', entitled: '9', date: today }));
  const nt = await ok(await office.post(`/api/v1/awards/${k.id}/notice`, {}), 201);
  const items = (await ok(await office.get(`/api/v1/notices/${nt.notice_id}`))).notice.items;
  const itemOf = (n) => items.find((x) => x.ref_id === n.id && x.source === 'award');
  // a resident objects to each candidate with a verified phone
  const anon = new Client(srv.base);
  const objection = async (n, phone) => {
    await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
    await ok(await anon.post('/api/v1/public/objections', { notice_id: nt.notice_id, item_id: itemOf(n).id, name: '张群众', phone,
      code: await smsCode(srv, phone), text: `对推荐对象 ${n.subject_name} 的异议` }), 201);
    return (await ok(await office.get(`/api/v1/notices/${nt.notice_id}`))).objections.find((o) => o.item_id === itemOf(n).id);
  };
  const o1 = await objection(n1, '13911110001');
  const o2 = await objection(n2, '13911110002');
  sql(`UPDATE notice SET end_date = '${daysFromToday(-1)}' WHERE id = ${nt.notice_id}`); // the period has run out, the objections have not
  await refused('approve with an objection not yet taken up', () => office.post(`/api/v1/award-nominations/${n1.id}/approve`, {}), 409, 'notice_pending', 'status');
  for (const o of [o1, o2]) await ok(await office.post(`/api/v1/objections/${o.id}/hold`, {}));
  await refused('approve while it is investigated', () => office.post(`/api/v1/award-nominations/${n1.id}/approve`, {}), 409, 'objection_held', 'status');
  const page = await office.get(`/awards/${k.id}`);
  assert.ok(page.text.includes('核查中（暂缓）'), 'the award page says the approval is held');
  await ok(await office.post(`/api/v1/objections/${o1.id}/decide`, { outcome: 'upheld', finding: '经核查，事迹材料有夸大' }));
  await ok(await office.post(`/api/v1/objections/${o2.id}/decide`, { outcome: 'dismissed', finding: '经核查，反映情况不属实' }));
  await refused('approve after an upheld objection', () => office.post(`/api/v1/award-nominations/${n1.id}/approve`, {}), 409, 'objection_upheld', 'status');
  const ap = (await ok(await office.post(`/api/v1/award-nominations/${n2.id}/approve`, {}))).nomination;
  assert.equal(ap.status, 'awarded');
  assert.equal(ap.notice.state, 'clear');
  const anonCard = async (id) => (await ok(await anon.get(`/api/v1/public/cards/${id}`))).card.record.honours.map((x) => x.name);
  assert.deepEqual(await anonCard(a1), []);
  assert.deepEqual(await anonCard(a2), [k.name]);
});

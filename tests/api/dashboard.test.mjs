// dashboard.test.mjs: the roll-up dashboard (统计看板) over HTTP, on this file's own demo database.
// The town's office opens a review round for the town; residents rate members and a branch on the
// web (with an SMS-verified phone: counted; without: the unverified indicator only, never in the
// figures; one repeat: invalid), the branch keys in paper questionnaires (不满意 answers, a spoiled
// sheet), members self- and peer-review, a leader is put in charge of two branches and a member
// and comments on one, grades are computed for a branch's members and the town's organisations.
// The dashboard's figures must then equal what was sent (grades: what the grading answered),
// row by row, the children's rows must add up to the total, shares have one decimal and "—" for
// an empty denominator; the page carries the same figures (table and JSON data block, escaped);
// the round selector, the default round, the XLSX export (Chinese headers, the same numbers);
// permissions (another town's secretary 404, a plain member 403, bad round_id / format refused).
// Denominators (issue 12): every share is over what is due in the round (五带头 over the active
// 正式党员 less the round's exclusions, 五个好 over the organisations below the round's own,
// commentary over every member and organisation), with the participation beside it, and the due
// counts follow members joining, leaving and being excluded. Late ballots (outside the round's
// period) are kept but counted nowhere, so `cxzy recount` finds no difference, while an edited
// counter is named by organisation and counter.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, daysFromToday, unzip, newIdcard, smsCode, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2, member, leader, discipline] = await Promise.all(
  ['office', 'town', 'secretary', 'secretary2', 'member', 'leader', 'discipline'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const COUNTERS = ['ballots_valid', 'ballots_invalid', 'answers_satisfied', 'answers_basic', 'answers_unsatisfied',
  'self_reviews', 'peer_reviews', 'charges', 'charges_done', 'members_graded', 'members_meeting', 'members_excellent',
  'members_qualified', 'members_basic', 'members_unqualified', 'orgs_graded', 'orgs_meeting', 'members_excluded',
  'members_commented', 'orgs_commented', 'ballots_web', 'ballots_paper', 'ballots_phone', 'ballots_unverified', 'ballots_held'];
const TALLY = ['members_active', 'members_full', 'orgs_active'];

/** Runs SQL on the test database (to look at the ballot table, and to tamper with a counter). */
const sql = (q) => sqlOn(srv.db, q);
/** What the roster says of a subtree, counted here from the member list and the org tree (never
 * from the dashboard): active members, active 正式党员, active organisations (itself included). */
async function roster(org) {
  const out = { members_active: 0, members_full: 0, orgs_active: 1 };
  for (let page = 1; ; page++) {
    const r = await ok(await office.get(`/api/v1/orgs/${org}/members?subtree=1&per_page=500&page=${page}`));
    for (const m of r.members) { out.members_active++; if (m.status === 'full') out.members_full++; }
    if (!r.paging.next) break;
  }
  const walk = async (id) => {
    for (const c of (await ok(await office.get(`/api/v1/orgs/${id}/children`))).children) { out.orgs_active++; await walk(c.id); }
  };
  await walk(org);
  return out;
}
/** What is due in the round at a row, from the roster (root: the row is the round's own org). */
const dueOf = (ros, excluded, root) => {
  const orgs = ros.orgs_active - (root ? 1 : 0);
  return { members_due: ros.members_full - excluded, orgs_due: orgs, commentary_due: ros.members_active + orgs };
};
const zero = () => Object.fromEntries(COUNTERS.map((k) => [k, 0]));
/** The dashboard's one-decimal share: the same integer rounding (half up) as the server. */
const tenths = (num, den) => (den > 0 ? Math.floor((num * 2000 + den) / (2 * den)) : -1);
const rate = (num, den) => { const t = tenths(num, den); return t < 0 ? null : t / 10; };
const text = (num, den) => { const t = tenths(num, den); return t < 0 ? '—' : `${Math.floor(t / 10)}.${t % 10}%`; };
/** The column letters of a 0-based column index (A … AZ). */
const colName = (i) => (i >= 26 ? String.fromCharCode(64 + Math.floor(i / 26)) : '') + String.fromCharCode(65 + (i % 26));
/** The cells of one worksheet of an unzipped XLSX by reference: inline and shared strings as text,
 * numbers as numbers. */
function xlsxCells(files, path) {
  const shared = (files['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8');
  const sheet = files[path].toString('utf8');
  const strings = [...shared.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((x) => x[1]);
  const unxml = (t) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const cells = new Map();
  for (const c of sheet.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const inner = c[3] || '', attrs = c[2];
    const t = inner.match(/<t[^>]*>([^<]*)<\/t>/), v = inner.match(/<v>([^<]*)<\/v>/);
    cells.set(c[1], t ? unxml(t[1]) : v ? (/t="s"/.test(attrs) ? unxml(strings[Number(v[1])]) : Number(v[1])) : '');
  }
  return cells;
}

// What this file sends, counted by branch as the roll-ups define it.
const expect = new Map();
const at = (org) => { if (!expect.has(org)) expect.set(org, zero()); return expect.get(org); };
/** A ballot as the roll-ups count it: cls counted (by channel), unverified or invalid. */
function answered(org, answers, cls = 'counted', channel = 'web') {
  const e = at(org);
  if (cls === 'invalid') { e.ballots_invalid++; return; }
  if (cls === 'unverified') { e.ballots_unverified++; return; }
  e.ballots_valid++;
  e[`ballots_${channel}`]++;
  for (const a of answers) e[['', 'answers_satisfied', 'answers_basic', 'answers_unsatisfied'][Number(a)]]++;
}

const kids = (await ok(await office.get(`/api/v1/orgs/${townId}/children`))).children;
const branchC = kids.find((k) => k.id !== branchA && k.members >= 2 && k.is_branch)?.id;
assert.ok(branchC && kids.some((k) => k.id === branchA), 'the town has the secretary\'s branch and another branch with members');
const membersOf = async (org, n) => (await ok(await office.get(`/api/v1/orgs/${org}/members?per_page=${n}`))).members;
const [inA, inC] = [await membersOf(branchA, 6), await membersOf(branchC, 2)];
const round = (await ok(await town.post(`/api/v1/orgs/${townId}/rounds`,
  { name: '2011年上半年（看板测试）', start_date: daysFromToday(0), end_date: daysFromToday(60) }), 201)).round;

/** A device token issued by the server. */
const newDevice = async () => (await ok(await anon.get(`/api/v1/public/rating?target_kind=org&target_id=${branchA}`))).device;
let phoneSeq = 0;
const firstDevice = await newDevice();
/** A web ballot; verified: with a phone confirmed by its SMS code. */
async function ballot(kind, id, answers, { verified = true, device } = {}) {
  const body = { target_kind: kind, target_id: id, answers, channel: 'web', device: device || await newDevice() };
  if (verified) {
    body.phone = `1370000${String(++phoneSeq).padStart(4, '0')}`;
    await ok(await anon.post('/api/v1/public/sms-codes', { phone: body.phone }), 202);
    body.code = await smsCode(srv, body.phone);
  }
  return anon.post('/api/v1/public/ballots', body);
}

test('ballots, paper sheets and reviews arrive: the dashboard counts exactly them, children add up', async () => {
  // web ballots on members of two branches, and on branch A itself: verified ones count, the
  // others only in the unverified indicator
  for (const [m, a, verified] of [[inA[0], '111', true], [inA[1], '112', true], [inA[2], '122', false], [inA[3], '212', false]]) {
    const b = await ok(await ballot('member', m.id, a, { verified, device: m === inA[0] ? firstDevice : undefined }), 201);
    assert.equal(b.ballot.counted, verified);
    answered(branchA, a, verified ? 'counted' : 'unverified');
  }
  for (const [m, a, verified] of [[inC[0], '111', true], [inC[1], '211', false]]) {
    await ok(await ballot('member', m.id, a, { verified }), 201);
    answered(branchC, a, verified ? 'counted' : 'unverified');
  }
  await ok(await ballot('org', branchA, '121'), 201);
  answered(branchA, '121');
  // the same device on the same member again: refused, kept as an invalid ballot
  expectError(await ballot('member', inA[0].id, '111', { verified: false, device: firstDevice }), 409, 'duplicate_ballot');
  answered(branchA, '', 'invalid');

  // paper questionnaires for a member of A, issued and keyed in by the level above (the town):
  // two keyed in (with 不满意), one spoiled
  const batch = (await ok(await town.post(`/api/v1/orgs/${branchA}/paper-batches`,
    { target_kind: 'member', target_id: inA[4].id, sheets: 3, note: '看板测试' }), 201)).batch;
  const codes = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`))).codes;
  assert.equal(codes.length, 3);
  for (const [code, a] of [[codes[0], '333'], [codes[1], '123']]) {
    await ok(await town.post(`/api/v1/paper-batches/${batch.id}/sheets`, { code, answers: a, reason: '办事拖拉' }), 201);
    answered(branchA, a, 'counted', 'paper');
  }
  await ok(await town.post(`/api/v1/paper-batches/${batch.id}/sheets`, { code: codes[2], spoiled: true }), 201);
  answered(branchA, '', 'invalid');

  // the member (of branch A) reviews itself and a fellow member
  const me = member.user.member_id;
  const fellow = inA.find((m) => m.id !== me);
  const review = { levels: '11211', achievements: '按时完成承诺事项', shortcomings: '学习不够系统', direction: '每月读一本书' };
  await ok(await member.post(`/api/v1/members/${me}/review`, { ...review, kind: 'self', round_id: round.id }), 201);
  at(branchA).self_reviews++;
  await ok(await member.post(`/api/v1/members/${fellow.id}/review`, { ...review, kind: 'peer', round_id: round.id }), 201);
  at(branchA).peer_reviews++;

  // leader charges: branch A and a member of A, and branch C; the leader comments on branch A only
  const charge = (org, extra = {}) => town.post(`/api/v1/orgs/${org}/charges`, { user_id: leader.user.id, round_id: round.id, ...extra });
  await ok(await charge(branchA), 201);
  await ok(await charge(branchA, { member_id: inA[5].id }), 201);
  await ok(await charge(branchC), 201);
  at(branchA).charges += 2;
  at(branchC).charges += 1;
  await ok(await leader.post(`/api/v1/orgs/${branchA}/commentary`,
    { round_id: round.id, level: '2', achievements: '班子团结', problems: '学习制度落实不够', direction: '每月集中学习一次' }), 201);
  at(branchA).charges_done++;
  at(branchA).orgs_commented++;

  // grades: branch A's members by its secretary, the town's organisations by the town's office
  const grades = [...(await ok(await secretary.post(`/api/v1/orgs/${branchA}/grades`, { kind: 'member', round_id: round.id }))).grades,
    ...(await ok(await town.post(`/api/v1/orgs/${townId}/grades`, { kind: 'org', round_id: round.id }))).grades];
  const COL = { excellent: 'members_excellent', qualified: 'members_qualified', basic: 'members_basic', unqualified: 'members_unqualified' };
  for (const g of grades) {
    if (g.final === 'none') continue;
    const e = at(g.org_id);
    if (g.target_kind === 'org') { e.orgs_graded++; if (g.meets) e.orgs_meeting++; continue; }
    e.members_graded++;
    e[COL[g.final]]++;
    if (g.meets) e.members_meeting++;
  }
  assert.ok(at(branchA).members_graded >= 3, `branch A's members were graded: ${JSON.stringify(at(branchA))}`);
  assert.ok(grades.some((g) => g.target_kind === 'org'), 'the town graded its organisations');

  const d = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=${round.id}`));
  assert.equal(d.round.id, round.id);
  const rows = new Map(d.children.map((c) => [c.id, c]));
  for (const [org, want] of expect) {
    const row = rows.get(org);
    assert.ok(row, `branch ${org} has a row`);
    for (const k of COUNTERS) assert.equal(row[k], want[k], `branch ${org}: ${k}`);
  }
  for (const c of d.children) if (!expect.has(c.id)) for (const k of COUNTERS) assert.equal(c[k], 0, `untouched ${c.name}: ${k}`);
  // the total: what was sent, and the children plus what belongs to the town itself
  for (const k of COUNTERS) {
    const sent = [...expect.values()].reduce((s, e) => s + e[k], 0);
    assert.equal(d.total[k], sent, `total ${k}`);
    assert.equal(d.children.reduce((s, c) => s + c[k], 0) + (d.own ? d.own[k] : 0), d.total[k], `children add up: ${k}`);
  }
  assert.equal(d.own, null, 'nothing was counted at the town itself');
  // the subtree tallies and what is due: from the roster, and the children add up
  for (const row of [d.total, ...d.children]) {
    const ros = await roster(row.id);
    for (const k of TALLY) assert.equal(row[k], ros[k], `${row.name}: ${k}`);
    assert.deepEqual({ members_due: row.members_due, orgs_due: row.orgs_due, commentary_due: row.commentary_due },
      dueOf(ros, 0, row.id === townId), `${row.name}: due`);
  }
  for (const k of [...TALLY, 'members_due', 'orgs_due', 'commentary_due', 'commented']) // the town itself: one organisation, not due
    assert.equal(d.children.reduce((s, c) => s + c[k], 0) + (k === 'orgs_active' ? 1 : 0), d.total[k], `children add up: ${k}`);
  // shares: one decimal, null / "—" without a denominator, over what is due
  for (const row of [d.total, ...d.children]) {
    const ok3 = row.answers_satisfied + row.answers_basic;
    assert.equal(row.satisfaction_rate, rate(ok3, ok3 + row.answers_unsatisfied), `${row.name} satisfaction`);
    assert.equal(row.satisfaction_text, text(ok3, ok3 + row.answers_unsatisfied));
    assert.equal(row.members_meeting_rate, rate(row.members_meeting, row.members_due));
    assert.equal(row.members_meeting_text, text(row.members_meeting, row.members_due));
    assert.equal(row.members_graded_text, text(row.members_graded, row.members_due));
    assert.equal(row.self_reviews_text, text(row.self_reviews, row.members_due));
    assert.equal(row.orgs_meeting_text, text(row.orgs_meeting, row.orgs_due));
    assert.equal(row.orgs_graded_text, text(row.orgs_graded, row.orgs_due));
    assert.equal(row.commented, row.members_commented + row.orgs_commented);
    assert.equal(row.coverage_text, text(row.commented, row.commentary_due));
  }
  const a = rows.get(branchA);
  assert.equal(a.ballots_valid, 5);
  assert.deepEqual([a.ballots_web, a.ballots_paper, a.ballots_phone, a.ballots_unverified], [3, 2, 0, 2]);
  assert.equal(a.ballots_invalid, 2);
  assert.ok(a.answers_unsatisfied > 0 && a.satisfaction_rate < 100, 'the paper sheets brought 不满意 answers');
  assert.match(a.satisfaction_text, /^\d+\.\d%$/);
  // one commentary (on branch A itself) of every member of A and A: not 1 of the 2 charges (50%)
  assert.equal(a.commented, 1);
  assert.equal(a.coverage_text, text(1, a.commentary_due));
  assert.ok(a.commentary_due > 2 && a.coverage_rate < 50, `coverage over every member and the branch: ${a.coverage_text}`);
  assert.equal(rows.get(branchC).coverage_text, '0.0%');

  // `cxzy recount` rebuilds every counter from the raw records: no difference from what is shown
  const rc = srv.cli(['recount', '--round', String(round.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);

  // the same figures one level down, and a branch has no children
  const da = await ok(await secretary.get(`/api/v1/orgs/${branchA}/dashboard?round_id=${round.id}`));
  for (const k of COUNTERS) assert.equal(da.total[k], a[k], `branch dashboard ${k}`);
  assert.deepEqual(da.children, []);
  assert.equal(da.own, null);
});

test('五带头 is over the members due, not the few graded; participation beside it; joins, leaves and exclusions move it exactly', async () => {
  const dash = async () => ok(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=${round.id}`));
  const d = await dash();
  const t = d.total, ros = await roster(townId);
  // only branch A was graded: a handful of the town's 正式党员
  assert.equal(t.members_due, ros.members_full);
  assert.ok(t.members_graded > 0 && t.members_graded * 2 < t.members_due, `few graded: ${t.members_graded} of ${t.members_due}`);
  assert.equal(t.members_meeting_text, text(t.members_meeting, t.members_due), 'the share is over the members due');
  if (t.members_meeting) assert.notEqual(t.members_meeting_text, text(t.members_meeting, t.members_graded), 'not over the graded');
  assert.equal(t.members_graded_text, text(t.members_graded, t.members_due), 'participation: graded / due');
  assert.equal(t.self_reviews_text, text(t.self_reviews, t.members_due), 'participation: self-reviews / due');
  assert.equal(t.orgs_meeting_text, text(t.orgs_meeting, t.orgs_due));
  assert.equal(t.orgs_graded_text, text(t.orgs_graded, t.orgs_due));
  assert.equal(t.coverage_text, text(t.commented, ros.members_active + ros.orgs_active - 1), 'coverage over every member and organisation');
  // the page and the export carry the participation beside the share
  const page = (await town.get(`/orgs/${townId}/dashboard?round_id=${round.id}`)).text;
  const foot = page.match(/<tfoot>([\s\S]*?)<\/tfoot>/)[1];
  for (const v of [`${t.members_meeting}/${t.members_due}`, `已评定 ${t.members_graded}（${t.members_graded_text}）`,
    `${t.commented}/${t.commentary_due}`, `网${t.ballots_web}/纸${t.ballots_paper}/电${t.ballots_phone}，未验证${t.ballots_unverified}`]) assert.ok(foot.includes(v), `the total row shows ${v}`);

  // a full member of branch C is left out of the round: one fewer due, in C and in the town
  const cMembers = (await ok(await office.get(`/api/v1/orgs/${branchC}/members?per_page=500`))).members;
  const away = cMembers.find((m) => m.status === 'full');
  const c0 = d.children.find((c) => c.id === branchC);
  await ok(await town.post(`/api/v1/members/${away.id}/exclusion`, { round_id: round.id, reason: 'away', note: '外出务工' }));
  let d2 = await dash(), c2 = d2.children.find((c) => c.id === branchC);
  assert.equal(c2.members_excluded, 1);
  assert.equal(c2.members_due, c0.members_due - 1);
  assert.equal(d2.total.members_due, t.members_due - 1);
  assert.equal(c2.commentary_due, c0.commentary_due, 'still a member a leader may comment on');
  // another is left out, then taken back by five requests at once: counted back once
  const other = cMembers.find((m) => m.status === 'full' && m.id !== away.id);
  await ok(await town.post(`/api/v1/members/${other.id}/exclusion`, { round_id: round.id, reason: 'bedridden' }));
  assert.equal((await dash()).children.find((c) => c.id === branchC).members_excluded, 2);
  const backs = await Promise.all([...Array(5)].map(() => town.post(`/api/v1/members/${other.id}/exclusion`, { round_id: round.id, reason: 'none' })));
  for (const b of backs) assert.ok([200, 201].includes(b.status), `${b.status} ${b.text.slice(0, 200)}`);
  d2 = await dash(), c2 = d2.children.find((c) => c.id === branchC);
  assert.equal(c2.members_excluded, 1);
  assert.equal(c2.members_due, c0.members_due - 1);
  // a new 正式党员 joins C, a probationary one too: one more due, two more members
  const rec = (name, idcard, status) => ({ name, sex: '男', ethnicity: '汉族', idcard, phone: '13800000000', joined_date: '2001-07-01',
    full_date: status === 'full' ? '2002-07-01' : '', education: '大学', post: '村民', status });
  const joined = (await ok(await office.post(`/api/v1/orgs/${branchC}/members`, rec('看板新党员', newIdcard('19700101'), 'full')), 201)).member;
  const prob = (await ok(await office.post(`/api/v1/orgs/${branchC}/members`, rec('看板预备党员', newIdcard('19800101'), 'probationary')), 201)).member;
  d2 = await dash(), c2 = d2.children.find((c) => c.id === branchC);
  assert.equal(c2.members_due, c0.members_due);
  assert.equal(c2.members_active, c0.members_active + 2);
  assert.equal(d2.total.members_due, t.members_due);
  // the excluded member leaves (deactivated, by five requests at once): the exclusion no longer counts, nor the member
  for (const x of await Promise.all([...Array(5)].map(() => office.post(`/api/v1/members/${away.id}/deactivate`)))) assert.equal(x.status, 200, x.text);
  await ok(await office.post(`/api/v1/members/${prob.id}/deactivate`));
  d2 = await dash(), c2 = d2.children.find((c) => c.id === branchC);
  assert.equal(c2.members_excluded, 0);
  assert.equal(c2.members_due, c0.members_due);
  assert.equal(c2.members_active, c0.members_active);
  // the new member moves to another branch of the town (not graded in this round): due moves with them; the total stays
  const branchD = d2.children.find((c) => c.id !== branchA && c.id !== branchC && c.is_branch).id;
  const a0 = d2.children.find((c) => c.id === branchD);
  const full = await ok(await office.get(`/api/v1/members/${joined.id}`));
  assert.equal(full.member.status, 'full');
  const moved = await office.patch(`/api/v1/members/${joined.id}`, { org_id: branchD });
  assert.equal(moved.status, 200, moved.text);
  const d3 = await dash();
  assert.equal(d3.children.find((c) => c.id === branchD).members_due, a0.members_due + 1);
  assert.equal(d3.children.find((c) => c.id === branchC).members_due, c0.members_due - 1);
  assert.equal(d3.total.members_due, d2.total.members_due);
  for (const row of [d3.total, ...d3.children]) for (const k of TALLY) assert.equal(row[k], (await roster(row.id))[k], `${row.name}: ${k}`);
  // and recount agrees with every counter and tally kept along the way
  const rc = srv.cli(['recount', '--round', String(round.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  assert.match(rc.stdout, /无差异/);
});

test('the newest round covering the organisation is the default; rounds of other subtrees are refused', async () => {
  const d = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard`));
  assert.equal(d.round.id, round.id, 'the round just opened is the newest');
  assert.ok(d.rounds.length >= 1 && d.rounds[0].id === round.id && d.rounds[0].selected === true);
  for (const r of d.rounds.slice(1)) assert.equal(r.selected, false);
  // the town's round does not cover the root nor the other town's branch
  const root = await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard`));
  assert.ok(!root.rounds.some((r) => r.id === round.id), 'the root lists only rounds that cover it');
  expectError(await office.get(`/api/v1/orgs/${rootId}/dashboard?round_id=${round.id}`), 404, 'not_found', 'round_id');
  expectError(await secretary2.get(`/api/v1/orgs/${branchB}/dashboard?round_id=${round.id}`), 404, 'not_found', 'round_id');
  expectError(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=987654321`), 404, 'not_found', 'round_id');
  for (const bad of ['abc', '0', '-3', '1.5', '99999999999999999999'])
    expectError(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=${encodeURIComponent(bad)}`), 400, 'invalid_query', 'round_id');
  expectError(await town.get(`/api/v1/orgs/${townId}/dashboard?format=pdf`), 400, 'invalid_format', 'format');
});

test('who may look: staff over the organisation; another town 404, a plain member 403, nobody 401', async () => {
  for (const c of [office, town, leader, discipline]) await ok(await c.get(`/api/v1/orgs/${townId}/dashboard`));
  await ok(await secretary.get(`/api/v1/orgs/${branchA}/dashboard`));
  const missing = await secretary2.get('/api/v1/orgs/987654321/dashboard');
  const hidden = await secretary2.get(`/api/v1/orgs/${branchA}/dashboard`);
  expectError(hidden, 404, 'not_found');
  assert.deepEqual(hidden.json, missing.json, 'a dashboard out of scope looks like a missing one');
  expectError(await secretary.get(`/api/v1/orgs/${townId}/dashboard`), 404, 'not_found');
  expectError(await town.get(`/api/v1/orgs/${branchB}/dashboard`), 404, 'not_found');
  expectError(await member.get(`/api/v1/orgs/${branchA}/dashboard`), 403, 'forbidden');
  expectError(await anon.get(`/api/v1/orgs/${branchA}/dashboard`), 401, 'unauthenticated');
  for (const p of [`/orgs/${branchA}/dashboard`, `/orgs/${branchA}/dashboard?format=xlsx&round_id=${round.id}`]) {
    const r = await secretary2.get(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.text.includes(inA[0].name) && !r.text.includes('看板测试'), `${p} reveals nothing`);
  }
  assert.equal((await member.get(`/orgs/${branchA}/dashboard`)).status, 403);
  // the links: the org page shows 统计看板 to staff, not to a plain member
  assert.match((await town.get(`/orgs/${townId}`)).text, new RegExp(`href="/orgs/${townId}/dashboard"`));
  assert.doesNotMatch((await member.get(`/orgs/${branchA}`)).text, /\/dashboard"/);
});

test('the page: the table and a JSON data block with the same figures, names escaped, scripts from the binary', async () => {
  const evil = '看板</script><!--<b>支部';
  const made = (await ok(await office.post(`/api/v1/orgs/${townId}/children`, { name: evil, type: 'branch', sector: 'rural' }), 201)).org;
  const api = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=${round.id}`));
  const r = await town.get(`/orgs/${townId}/dashboard?round_id=${round.id}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline|unsafe-eval/);
  const html = r.text;
  assert.ok(!html.includes(evil), 'the raw name never reaches the page');
  assert.ok(html.includes('看板&lt;/script&gt;&lt;!--&lt;b&gt;支部'), 'the table shows the name escaped');
  // the data block: one <script type="application/json">, closed only by its own end tag
  const m = html.match(/<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/);
  assert.ok(m, 'the page has the data block');
  assert.ok(!/[<>&]/.test(m[1]), 'no <, > or & inside the data block');
  const data = JSON.parse(m[1]);
  assert.deepEqual(data.total, api.total);
  assert.deepEqual(data.children, api.children);
  assert.ok(data.children.some((c) => c.id === made.id && c.name === evil), 'the name survives the escaping');
  // no inline script: every other <script> has a src on this server, versioned
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((x) => x[1]);
  assert.equal(scripts.filter((s) => !/type="application\/json"/.test(s)).every((s) => /src="\/static\/[^"]+\?v=[0-9a-f]+"/.test(s)), true, scripts.join(' | '));
  const src = html.match(/src="(\/static\/vendor\/echarts\.min\.js\?v=[0-9a-f]+)"/);
  assert.ok(src, 'ECharts comes from /static/vendor/');
  const js = await anon.get(src[1]);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const etag = js.headers.get('etag');
  assert.ok(etag && src[1].endsWith(etag.replace(/"/g, '')), 'the version in the URL is the ETag');
  const again = await anon.get(src[1], { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const unversioned = await anon.get('/static/vendor/echarts.min.js');
  assert.equal(unversioned.status, 200);
  assert.equal(unversioned.headers.get('cache-control'), 'public, max-age=3600', 'only the versioned URL is kept for a year');
  assert.ok(js.buf.equals(unversioned.buf));
  // the table: a row per child with a link to its dashboard for the same round, and the total
  for (const c of api.children) assert.ok(html.includes(`href="/orgs/${c.id}/dashboard?round_id=${round.id}"`), `a link to ${c.name}`);
  const foot = html.match(/<tfoot>([\s\S]*?)<\/tfoot>/)[1];
  for (const v of [api.total.satisfaction_text, `${api.total.ballots_valid}`, `${api.total.ballots_invalid}`]) assert.ok(foot.includes(v), `total row shows ${v}`);
  // beside the satisfaction figure: what it counts, by channel, and what it leaves out
  const t = api.total;
  assert.ok(foot.includes(`${t.satisfaction_text} <small class="basis">网${t.ballots_web}/纸${t.ballots_paper}/电${t.ballots_phone}，未验证${t.ballots_unverified}</small>`));
  assert.ok(html.includes(`计入票：网上（短信验证）${t.ballots_web}，纸质问卷 ${t.ballots_paper}，电话抽访 ${t.ballots_phone}；未验证的网上评价 ${t.ballots_unverified} 票`));
  assert.match(html, /<select id="round_id" name="round_id">/);
  assert.ok(html.includes(`<option value="${round.id}" selected>`), 'the round selector marks the round shown');
  assert.equal(html.match(/<select id="round_id"[\s\S]*?<\/select>/)[0].match(/<option [^>]*selected/g).length, 1, 'one round is selected');
  await ok(await office.post(`/api/v1/orgs/${made.id}/deactivate`));
});

test('XLSX export: Chinese headers, the total first, then the children, with the API\'s numbers; audited', async () => {
  const api = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=${round.id}`));
  for (const path of [`/api/v1/orgs/${townId}/dashboard?round_id=${round.id}&format=xlsx`, `/orgs/${townId}/dashboard?round_id=${round.id}&format=xlsx`]) {
    const x = await town.get(path);
    assert.equal(x.status, 200, x.text.slice(0, 200));
    assert.match(x.headers.get('content-type'), /spreadsheetml/);
    assert.match(x.headers.get('content-disposition'), /attachment; .*filename\*=UTF-8''/);
    const files = unzip(x.buf);
    const cells = xlsxCells(files, 'xl/worksheets/sheet1.xml');
    const col = colName;
    const header = [...Array(38).keys()].map((i) => cells.get(`${col(i)}2`));
    for (const h of ['组织', '类型', '五个好比例(%)', '五带头比例(%)', '优秀', '合格', '基本合格', '不合格', '群众满意率(%)', '有效票', '无效票', '点评覆盖率(%)', '自评', '互评',
      '应评定党员数', '党员参评率(%)', '应评定组织数', '组织参评率(%)', '应点评（党员和组织）', '已点评（党员和组织）', '自评率(%)', '有效票：网上（短信验证）', '未验证的网上评价（不计入）'])
      assert.ok(header.includes(h), `header ${h} in ${header.join(',')}`);
    const colOf = (h) => col(header.indexOf(h));
    assert.match(String(cells.get('A1')), /2011年上半年（看板测试）/);
    assert.equal(cells.get('A3'), `合计：${api.total.name}`);
    assert.equal(cells.get(`${colOf('有效票')}3`), api.total.ballots_valid);
    assert.equal(cells.get(`${colOf('无效票')}3`), api.total.ballots_invalid);
    // what the satisfaction rate counts, by channel, and what it leaves out
    for (const [h, k] of [['有效票：网上（短信验证）', 'ballots_web'], ['有效票：纸质问卷', 'ballots_paper'], ['有效票：电话抽访', 'ballots_phone'],
      ['未验证的网上评价（不计入）', 'ballots_unverified'], ['集中投票待审核（不计入）', 'ballots_held']]) assert.equal(cells.get(`${colOf(h)}3`), api.total[k], h);
    assert.equal(api.total.ballots_web + api.total.ballots_paper + api.total.ballots_phone, api.total.ballots_valid);
    assert.equal(cells.get(`${colOf('群众满意率(%)')}3`), api.total.satisfaction_rate);
    assert.equal(cells.get(`${colOf('点评覆盖率(%)')}3`), api.total.coverage_rate);
    assert.equal(cells.get(`${colOf('优秀')}3`), api.total.members_excellent);
    // what is due and the participation, beside the shares
    assert.equal(cells.get(`${colOf('应评定党员数')}3`), api.total.members_due);
    assert.equal(cells.get(`${colOf('五带头比例(%)')}3`), api.total.members_meeting_rate ?? '—');
    assert.equal(cells.get(`${colOf('党员参评率(%)')}3`), api.total.members_graded_rate ?? '—');
    assert.equal(cells.get(`${colOf('应点评（党员和组织）')}3`), api.total.commentary_due);
    api.children.forEach((c, i) => {
      assert.equal(cells.get(`A${4 + i}`), c.name);
      assert.equal(cells.get(`${colOf('有效票')}${4 + i}`), c.ballots_valid, `${c.name} 有效票`);
      assert.equal(cells.get(`${colOf('互评')}${4 + i}`), c.peer_reviews, `${c.name} 互评`);
    });
  }
  const audit = (await ok(await office.get(`/api/v1/orgs/${townId}/audit`))).records;
  assert.ok(audit.some((a) => a.action === 'export' && a.entity === 'dashboard'), 'the export is audited');
  expectError(await town.get(`/api/v1/orgs/${townId}/dashboard?round_id=${round.id}&format=csv`), 400, 'invalid_format', 'format');
});

test('a late ballot is kept but counted nowhere: recount finds no difference; an edited counter is named by organisation and counter', async () => {
  // branch C's own round, whose period ended yesterday and that nobody closed yet, the only open
  // round left over C (a round whose period holds today would take today's ballots)
  const late = (await ok(await town.post(`/api/v1/orgs/${branchC}/rounds`,
    { name: '看板测试：已过评议期', start_date: daysFromToday(-30), end_date: daysFromToday(-1) }), 201)).round;
  for (const rd of (await ok(await office.get(`/api/v1/orgs/${branchC}/rounds`))).rounds)
    if (rd.id !== late.id && rd.open) await ok(await office.post(`/api/v1/rounds/${rd.id}/close`));
  const g = await ok(await town.post(`/api/v1/orgs/${branchC}/grades`, { kind: 'member', round_id: late.id }));
  assert.ok(g.grades.length > 0, 'branch C was graded in the late round');
  const before = await ok(await town.get(`/api/v1/orgs/${branchC}/dashboard?round_id=${late.id}`));
  // a resident rates a member of C today: outside the round's period
  const target = (await ok(await office.get(`/api/v1/orgs/${branchC}/members?per_page=5`))).members[0];
  const r = await ballot('member', target.id, '111');
  expectError(r, 409, 'rating_late', 'round_id');
  assert.equal(sql(`SELECT count(*) FROM ballot WHERE round_id = ${late.id} AND late = 1 AND valid = 0`), '1', 'the ballot is kept, marked late');
  const after = await ok(await town.get(`/api/v1/orgs/${branchC}/dashboard?round_id=${late.id}`));
  assert.deepEqual(after.total, before.total, 'the figures did not move');
  const res = await ok(await town.get(`/api/v1/members/${target.id}/ratings?round_id=${late.id}`));
  assert.equal(res.result.valid + res.result.invalid, 0, 'the results count it nowhere');
  const clean = srv.cli(['recount', '--round', String(late.id)]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /无差异/);
  // someone edits a counter: recount names the organisation, the counter, the stored value and the raw one
  sql(`INSERT INTO rollup (round_id, org_id, ballots_valid) VALUES (${late.id}, ${branchC}, 5) `
    + 'ON CONFLICT (round_id, org_id) DO UPDATE SET ballots_valid = rollup.ballots_valid + 5');
  const cName = (await ok(await office.get(`/api/v1/orgs/${branchC}/dashboard?round_id=${late.id}`))).org.name;
  const bad = srv.cli(['recount', '--round', String(late.id)]);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.ok(bad.stdout.includes(`组织 ${cName}（编号 ${branchC}）有效票（ballots_valid）：记录为 5，按原始记录应为 0`), bad.stdout);
  assert.match(bad.stdout, /共有差异 1 处/);
  const fix = srv.cli(['recount', '--round', String(late.id), '--fix']);
  assert.equal(fix.status, 1, fix.stdout + fix.stderr);
  assert.equal(srv.cli(['recount', '--round', String(late.id)]).status, 0);
  await ok(await town.post(`/api/v1/rounds/${late.id}/close`));
});

// ---- the whole campaign by quarter (issue 17): pledges, feedback, rectification ----
const PCOUNTERS = ['reports_due', 'reports_on_time', 'reports_late', 'findings', 'findings_closed', 'rect_due', 'rect_on_time',
  'feedback_due', 'feedback_on_time', 'pledges_due', 'pledges_fulfilled', 'pledges_missed_unjustified'];
/** The quarter a date counts in, as the period selector writes it (2026-07-15 → 2026Q3). */
const quarterOf = (date) => `${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) + 2) / 3)}`;
/** The campaign figures of period P where a record of branch A shows: the district (root), the
 * town's row among the district's children, branch A's row among the town's children. */
async function where(P) {
  const root = (await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${P}`))).campaign;
  const tn = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${P}`))).campaign;
  return { root: root.total, town: root.children.find((c) => c.id === townId), townTotal: tn.total,
    branch: tn.children.find((c) => c.id === branchA) };
}
/** Asserts every counter of every row moved by delta exactly (the others stayed), and the shares
 * are num/den with one decimal. */
function moved(before, after, delta, what) {
  for (const row of Object.keys(before)) {
    for (const k of PCOUNTERS) assert.equal(after[row][k], before[row][k] + (delta[k] || 0), `${what}: ${row} ${k}`);
    const a = after[row];
    assert.equal(a.pledges_fulfilled_text, text(a.pledges_fulfilled, a.pledges_due), `${what}: ${row} 承诺兑现率`);
    assert.equal(a.feedback_on_time_text, text(a.feedback_on_time, a.feedback_due), `${what}: ${row} 意见按期答复率`);
    assert.equal(a.rect_on_time_text, text(a.rect_on_time, a.rect_due), `${what}: ${row} 整改按期销号率`);
    assert.equal(a.findings_open, a.findings - a.findings_closed);
  }
}
/** Runs step and asserts the figures of period P moved by delta. */
async function step(P, delta, what, fn) {
  const before = await where(P);
  const r = await fn();
  moved(before, await where(P), delta, what);
  return r;
}
const pact = (c, id, action, body) => c.post(`/api/v1/pledges/${id}/${action}`, body);
const ract = (c, id, action, body) => c.post(`/api/v1/rectifications/${id}/${action}`, body);

test('the campaign figures move as pledges, feedback and rectification change, in the quarter of their due dates', async () => {
  // pledges: a draft and a submitted pledge are not due; approval makes it due, completion fulfils it
  const due = daysFromToday(20), P = quarterOf(due);
  const pledge = (title) => ({ area: '服务群众', title, content: '每周为孤寡老人代购一次生活用品。', measures: '每周六上门。', responsible: '本人', due_date: due });
  const p1 = (await step(P, {}, 'a draft', async () => ok(await member.post('/api/v1/pledges', pledge('看板：代购生活用品')), 201))).pledge;
  assert.equal(p1.org_id, branchA, 'the member is in branch A');
  await step(P, {}, 'submitted', async () => ok(await pact(member, p1.id, 'submit')));
  await step(P, { pledges_due: 1 }, 'approved', async () => ok(await pact(secretary, p1.id, 'approve')));
  await step(P, { pledges_fulfilled: 1 }, 'completed', async () => ok(await pact(member, p1.id, 'complete', { summary: '全年代购 50 余次' })));
  // a refused action moves nothing
  await step(P, {}, 'a refused second completion', async () => expectError(await pact(member, p1.id, 'complete', { summary: '再次' }), 409, 'invalid_transition'));
  const p2 = (await ok(await member.post('/api/v1/pledges', pledge('看板：义务清扫')), 201)).pledge;
  await ok(await pact(member, p2.id, 'submit'));
  await step(P, { pledges_due: 1 }, 'approved', async () => ok(await pact(secretary, p2.id, 'approve')));
  await step(P, { pledges_missed_unjustified: 1 }, 'missed without justification',
    async () => ok(await pact(secretary, p2.id, 'miss', { miss_kind: 'unjustified', explanation: '无故未履行' })));
  // a draft's due date moved to another quarter: approved, it counts in the new quarter only
  const p3 = (await ok(await member.post('/api/v1/pledges', pledge('看板：换季度')), 201)).pledge;
  const far = daysFromToday(200), P2 = quarterOf(far);
  assert.notEqual(P2, P);
  await step(P2, {}, 'a draft edited', async () => ok(await member.patch(`/api/v1/pledges/${p3.id}`, { due_date: far })));
  await ok(await pact(member, p3.id, 'submit'));
  const [b1, b2] = [await where(P), await where(P2)];
  await ok(await pact(secretary, p3.id, 'approve'));
  moved(b1, await where(P), {}, 'the old quarter');
  moved(b2, await where(P2), { pledges_due: 1 }, 'the new quarter');

  // feedback entered by the town: received two months ago, so due in the past, and replied today (late)
  const received = daysFromToday(-70);
  const late = (await ok(await town.post(`/api/v1/orgs/${townId}/feedback`, { kind: 'opinion', channel: 'letter', received_date: received, text: '看板：来信反映路灯不亮' }), 201));
  const lateItem = late.item || late;
  const FQ = quarterOf(lateItem.due_date);
  assert.ok(lateItem.due_date < daysFromToday(0), `due ${lateItem.due_date} before today`);
  // assigned to branch A: it moves from the town's own row into branch A's; the totals keep it
  const fb = await where(FQ);
  await ok(await town.post(`/api/v1/feedback/${lateItem.id}/assign`, { org_id: branchA }));
  const fa = await where(FQ);
  assert.equal(fa.branch.feedback_due, fb.branch.feedback_due + 1, 'branch A now counts it');
  for (const row of ['root', 'town', 'townTotal']) assert.equal(fa[row].feedback_due, fb[row].feedback_due, `${row} counted it before and after`);
  await step(FQ, {}, 'replied late', async () => ok(await secretary.post(`/api/v1/feedback/${lateItem.id}/reply`, { reply: '已联系供电所修复。' })));
  const onTime = (await ok(await town.post(`/api/v1/orgs/${townId}/feedback`, { kind: 'opinion', channel: 'letter', received_date: daysFromToday(0), text: '看板：来信建议增设垃圾桶' }), 201));
  const onItem = onTime.item || onTime;
  const FQ2 = quarterOf(onItem.due_date);
  await ok(await town.post(`/api/v1/feedback/${onItem.id}/assign`, { org_id: branchA }));
  await step(FQ2, { feedback_on_time: 1 }, 'replied on time', async () => ok(await secretary.post(`/api/v1/feedback/${onItem.id}/reply`, { reply: '已增设。' })));

  // rectification in branch A: due, submitted on time and verified
  const rdue = daysFromToday(15), RQ = quarterOf(rdue);
  const x = (await step(RQ, { rect_due: 1 }, 'rectification created', async () => ok(await town.post(`/api/v1/orgs/${branchA}/rectifications`,
    { source: 'inspection', problem: '看板：三会一课记录不全', measure: '补齐记录。', owner: '王书记', due_date: rdue }), 201))).rectification;
  const submit = (id) => ract(secretary, id, 'submit', { note: '已补齐。', no_evidence_reason: '属口头提醒，无书面材料' });
  await step(RQ, {}, 'submitted', async () => ok(await submit(x.id)));
  await step(RQ, { rect_on_time: 1 }, 'verified', async () => ok(await ract(town, x.id, 'verify', { note: '整改到位。' })));
  // another item reopened with a due date in another quarter: it leaves the first and joins the other; cancelled, it leaves
  const y = (await step(RQ, { rect_due: 1 }, 'created', async () => ok(await town.post(`/api/v1/orgs/${branchA}/rectifications`,
    { source: 'inspection', problem: '看板：台账不全', measure: '建立台账。', owner: '王书记', due_date: rdue }), 201))).rectification;
  await ok(await submit(y.id));
  const rfar = daysFromToday(200), RQ2 = quarterOf(rfar);
  const [c1, c2] = [await where(RQ), await where(RQ2)];
  await ok(await ract(town, y.id, 'reopen', { reason: '复查发现仍不全。', due_date: rfar }));
  moved(c1, await where(RQ), { rect_due: -1 }, 'reopened: the old quarter');
  moved(c2, await where(RQ2), { rect_due: 1 }, 'reopened: the new quarter');
  await step(RQ2, { rect_due: -1 }, 'cancelled', async () => ok(await ract(town, y.id, 'cancel', { reason: '重复立项。' })));

  // participation: the members who pledged count once each
  const d = await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard`));
  if (d.total) assert.ok(d.total.members_pledged >= 1, 'the member who pledged counts');
  // each child shows its own count (read for all children at once): the rows add up to the total
  if (d.total) {
    const kids = d.children.reduce((n, c) => n + c.members_pledged, 0) + (d.own ? d.own.members_pledged : 0);
    assert.equal(kids, d.total.members_pledged, 'the children and the organisation itself add up to the total');
    assert.ok(d.children.some((c) => c.members_pledged >= 1), 'the child with the pledge shows it');
  }
  const clean = srv.cli(['recount']);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /无差异/);
});

test('an organisation that moves takes its quarter figures from the old town to the new one; recount agrees', async () => {
  const P = quarterOf(daysFromToday(15));
  // a new branch with one rectification item, under the town, then moved under another town
  const b = (await ok(await office.post(`/api/v1/orgs/${townId}/children`, { name: '看板测试：将迁出的支部', type: 'branch', sector: 'rural' }), 201)).org;
  await ok(await town.post(`/api/v1/orgs/${b.id}/rectifications`, { source: 'inspection', problem: '看板：迁移测试', measure: '整改。', owner: '书记', due_date: daysFromToday(15) }), 201);
  const towns = (await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${P}`))).campaign.children;
  const other = towns.find((t) => t.id !== townId);
  const before = Object.fromEntries(towns.map((t) => [t.id, t.rect_due]));
  await ok(await office.post(`/api/v1/orgs/${b.id}/move`, { parent_id: other.id }));
  const after = (await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${P}`))).campaign;
  assert.equal(after.children.find((t) => t.id === townId).rect_due, before[townId] - 1, 'the old town lost it');
  assert.equal(after.children.find((t) => t.id === other.id).rect_due, before[other.id] + 1, 'the new town has it');
  const r = srv.cli(['recount']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  await ok(await office.post(`/api/v1/orgs/${b.id}/move`, { parent_id: townId }));
  assert.equal(srv.cli(['recount']).status, 0);
});

test('an edited quarter counter is found by recount and fixed by --fix; so is the count of members who pledged', async () => {
  const P = quarterOf(daysFromToday(0)), q = Number(P.slice(0, 4)) * 10 + Number(P.slice(5));
  const name = (await ok(await office.get(`/api/v1/orgs/${branchA}`))).org.name;
  sql(`INSERT INTO period_rollup (quarter, org_id, feedback_due) VALUES (${q}, ${branchA}, 7) `
    + 'ON CONFLICT (quarter, org_id) DO UPDATE SET feedback_due = period_rollup.feedback_due + 7');
  const stored = sql(`SELECT feedback_due FROM period_rollup WHERE quarter = ${q} AND org_id = ${branchA}`);
  const bad = srv.cli(['recount']);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.ok(bad.stdout.includes(`组织 ${name}（编号 ${branchA}）到期应答复意见（feedback_due）：记录为 ${stored}，按原始记录应为 ${Number(stored) - 7}`), bad.stdout);
  assert.match(bad.stdout, /共有差异 1 处/);
  // the dashboard shows what is stored (it reads only roll-up rows)
  const shown = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${P}`))).campaign.children.find((c) => c.id === branchA);
  assert.equal(shown.feedback_due, Number(stored));
  sql(`UPDATE campaign_rollup SET members_pledged = members_pledged + 3 WHERE org_id = ${rootId}`);
  const both = srv.cli(['recount']);
  assert.match(both.stdout, /已作出承诺的党员（members_pledged）/);
  assert.match(both.stdout, /共有差异 2 处/);
  const fix = srv.cli(['recount', '--fix']);
  assert.equal(fix.status, 1, fix.stdout + fix.stderr);
  assert.match(fix.stdout, /已按原始记录修正/);
  const again = srv.cli(['recount']);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  const fixed = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${P}`))).campaign.children.find((c) => c.id === branchA);
  assert.equal(fixed.feedback_due, Number(stored) - 7);
  // with --round the quarter counters are checked too
  sql(`UPDATE period_rollup SET pledges_due = pledges_due + 1 WHERE quarter = ${q} AND org_id = ${rootId}`);
  const withRound = srv.cli(['recount', '--round', String(round.id)]);
  assert.equal(withRound.status, 1, withRound.stdout);
  assert.match(withRound.stdout, /季度统计数 1 处/);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  assert.equal(srv.cli(['recount']).status, 0);
});

test('the period selector: year, half, quarter; anything else is refused with a message naming the field', async () => {
  const y = Number(daysFromToday(0).slice(0, 4));
  const year = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${y}`))).campaign;
  const halves = await Promise.all(['H1', 'H2'].map(async (h) => (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${y}${h}`))).campaign));
  const quarters = await Promise.all([1, 2, 3, 4].map(async (n) => (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${y}Q${n}`))).campaign));
  assert.equal(year.period_label, `${y}年`);
  assert.equal(halves[0].period_label, `${y}年上半年`);
  assert.equal(quarters[2].period_label, `${y}年第三季度`);
  for (const k of PCOUNTERS) {
    assert.equal(year.total[k], halves[0].total[k] + halves[1].total[k], `${k}: the year is its halves`);
    assert.equal(year.total[k], quarters.reduce((s, q) => s + q.total[k], 0), `${k}: the year is its quarters`);
  }
  const dflt = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard`))).campaign;
  assert.equal(dflt.period, String(y), 'this year by default');
  // the trend: eight quarters ending with the period's last, oldest first
  assert.deepEqual(year.quarters.map((q) => q.name).slice(-1), [`${y}Q4`]);
  assert.equal(year.quarters.length, 8);
  for (const bad of ['2026Q5', '2026H3', 'abc', '26', '2026-1', `${y}q1`, ' 2026', '1999', `${y + 2}`, '9'.repeat(3000)]) {
    const r = await town.get(`/api/v1/orgs/${townId}/dashboard?period=${encodeURIComponent(bad)}`);
    expectError(r, 400, 'invalid_query', 'period');
    assert.match(r.json.error.message, /统计期间/);
    assert.ok(r.json.error.message.length < 200, 'a huge value is not echoed whole');
  }
  const page = await town.get(`/orgs/${townId}/dashboard?period=2026Q9`);
  assert.equal(page.status, 400);
  assert.match(page.text, /统计期间/);
  expectError(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${y}&format=xlsx&round_id=x`), 400, 'invalid_query', 'round_id');
});

test('another town\'s secretary cannot read the district\'s or the town\'s campaign figures; a member cannot either', async () => {
  const y = daysFromToday(0).slice(0, 4);
  for (const org of [rootId, townId]) {
    expectError(await secretary2.get(`/api/v1/orgs/${org}/dashboard?period=${y}`), 404, 'not_found');
    expectError(await secretary2.get(`/api/v1/orgs/${org}/dashboard?period=${y}&format=xlsx`), 404, 'not_found');
    assert.equal((await secretary2.get(`/orgs/${org}/dashboard?period=${y}`)).status, 404);
  }
  expectError(await member.get(`/api/v1/orgs/${branchA}/dashboard?period=${y}`), 403, 'forbidden');
  expectError(await secretary.get(`/api/v1/orgs/${townId}/dashboard?period=${y}`), 404, 'not_found');
  assert.equal((await anon.get(`/api/v1/orgs/${townId}/dashboard?period=${y}`)).status, 401);
});

test('XLSX: the campaign sheet with the API\'s figures, ranks and the period in its title; ranks are 1 for the best', async () => {
  const y = daysFromToday(0).slice(0, 4);
  const whole = await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${y}`)), api = whole.campaign;
  // the ranks: 1 the best, equal values share a rank, the list in rank order; the campaign's
  // figures rank the campaign rows, the participation figures the round's rows
  const ROUND_KEYS = ['members_pledged', 'self_reviews', 'members_graded'];
  assert.deepEqual(api.rankings.map((l) => l.key), ['pledges_fulfilled', 'feedback_on_time', 'rect_on_time', 'reports_on_time', 'findings_open',
    ...(whole.round && whole.children.length ? ROUND_KEYS : [])]);
  for (const list of api.rankings) {
    const ranks = list.rows.map((r) => r.rank);
    assert.deepEqual([...ranks].sort((a, b) => a - b), ranks, `${list.label} in rank order`);
    if (ranks.length) assert.equal(ranks[0], 1);
    const rows = ROUND_KEYS.includes(list.key) ? whole.children : api.children;
    for (const r of list.rows) assert.equal(rows.find((c) => c.id === r.id)[`${list.key}_rank`], r.rank);
    // a better value never ranks below a worse one
    const value = (row) => (list.key === 'findings_open' ? -row.findings_open : row[`${list.key}_rate`]);
    for (let i = 1; i < list.rows.length; i++) {
      const [a, b] = [rows.find((c) => c.id === list.rows[i - 1].id), rows.find((c) => c.id === list.rows[i].id)];
      assert.ok(value(a) >= value(b), `${list.label}: ${a.name} before ${b.name}`);
      assert.equal(list.rows[i].rank === list.rows[i - 1].rank, value(a) === value(b), `${list.label}: ties share a rank`);
    }
  }
  const x = await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${y}&format=xlsx`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  const files = unzip(x.buf);
  const names = Object.keys(files).filter((f) => /^xl\/worksheets\/sheet\d+\.xml$/.test(f)).sort();
  const wb = files['xl/workbook.xml'].toString('utf8');
  assert.match(wb, /name="全面工作"/);
  const sheet = names.length === 2 ? 'xl/worksheets/sheet2.xml' : 'xl/worksheets/sheet1.xml';
  const cells = xlsxCells(files, sheet);
  assert.match(String(cells.get('A1')), new RegExp(`${y}年 · 全面工作`));
  const header = [...Array(24).keys()].map((i) => cells.get(`${colName(i)}2`));
  for (const h of ['承诺兑现率(%)', '到期承诺', '已兑现承诺', '意见按期答复率(%)', '整改按期销号率(%)', '汇报按时报送率(%)', '未整改问题', '承诺兑现名次'])
    assert.ok(header.includes(h), `header ${h}`);
  const colOf = (h) => colName(header.indexOf(h));
  assert.equal(cells.get('A3'), `合计：${api.total.name}`);
  assert.equal(cells.get(`${colOf('到期承诺')}3`), api.total.pledges_due);
  assert.equal(cells.get(`${colOf('已兑现承诺')}3`), api.total.pledges_fulfilled);
  api.children.forEach((c, i) => {
    assert.equal(cells.get(`A${4 + i}`), c.name);
    assert.equal(cells.get(`${colOf('到期应答复意见')}${4 + i}`), c.feedback_due, `${c.name} 到期应答复意见`);
    if (c.pledges_fulfilled_rank !== null) assert.equal(cells.get(`${colOf('承诺兑现名次')}${4 + i}`), c.pledges_fulfilled_rank);
    else assert.equal(cells.get(`${colOf('承诺兑现名次')}${4 + i}`), '—');
  });
  // the page prints: the campaign tables are in the HTML, the charts are screen-only
  const html = (await office.get(`/orgs/${rootId}/dashboard?period=${y}`)).text;
  assert.match(html, /全面工作 · \d{4}年/);
  assert.match(html, /class="charts noprint" id="campaign-charts"/);
  for (const c of api.children) assert.ok(html.includes(`href="/orgs/${c.id}/dashboard?period=${y}"`), `a link to ${c.name} for the period`);
});

test('a double submit at once moves a counter once: two approvals of one pledge, two replies to one item', async () => {
  const due = daysFromToday(25), P = quarterOf(due);
  const p = (await ok(await member.post('/api/v1/pledges', { area: '服务群众', title: '看板：同时审核', content: '内容。', measures: '措施。', responsible: '本人', due_date: due }), 201)).pledge;
  await ok(await pact(member, p.id, 'submit'));
  await step(P, { pledges_due: 1 }, 'two approvals at once', async () => {
    const rs = await Promise.all([pact(secretary, p.id, 'approve'), pact(town, p.id, 'approve')]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.text).join(' | '));
  });
  const it = await ok(await town.post(`/api/v1/orgs/${townId}/feedback`, { kind: 'opinion', channel: 'letter', received_date: daysFromToday(0), text: '看板：同时答复' }), 201);
  const item = it.item || it;
  await ok(await town.post(`/api/v1/feedback/${item.id}/assign`, { org_id: branchA }));
  await step(quarterOf(item.due_date), { feedback_on_time: 1 }, 'two replies at once', async () => {
    const rs = await Promise.all([secretary.post(`/api/v1/feedback/${item.id}/reply`, { reply: '甲方答复' }), town.post(`/api/v1/feedback/${item.id}/reply`, { reply: '乙方答复' })]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.text).join(' | '));
  });
  assert.equal(srv.cli(['recount']).status, 0);
});

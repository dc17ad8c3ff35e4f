// contests.test.mjs: 三比 contests over HTTP, on this file's own demo database, played as the
// office, five judges and as an attacker or a careless user: a contest with two weighted items,
// six member entrants and five judges scoring independently; the trimmed mean worked by hand
// (drop one highest and one lowest) with a tie broken by the untrimmed mean and a true tie ranked
// 1224-style; no judge sees another's score and neither the judge nor the office sees a result
// before closing (every route and API probed); a judge who is an entrant, or belongs to an entrant
// organisation, refused whichever is added first; two tabs submitting at once give one final
// sheet; scores out of range, NaN, strings, items and entrants of another contest refused with
// nothing stored; the published result frozen at /p/contests/:id, seen by members of the area,
// hidden from other branches; `cxzy recount` finds a published row edited behind the server's
// back, --fix does not adopt it, and the office's re-publication (audited) makes it agree again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, sqlOn, Client, BACKEND, PASSWORD, fileForm, xlsxFromRows, newIdcard } from '../lib.mjs';

const srv = await startServerOn();
after(() => { if (process.env.CT_LOG) console.log(srv.log().slice(-4000)); return srv.stop(); });
const [office, town, secretary, member, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}${r.status >= 500 ? srv.log().slice(-1500) : ''}`);
  return r.json;
}
let nacct = 0;
/** A staff account made by `cxzy user add` (role at org, optionally tied to a member), logged in. */
async function account(role, org, memberId = null) {
  const name = `ct${++nacct}${BACKEND}`;
  const args = ['user', 'add', name, '--name', `评委${nacct}`, '--password-file', '-', '--role', role, '--org', String(org)];
  if (memberId) args.push('--member', String(memberId));
  const r = srv.cli(args, { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return loginAs(srv.base, name);
}
const membersOf = (org, n) => sql(`SELECT id FROM member WHERE org_id = ${org} AND active = 1 ORDER BY id LIMIT ${n}`).split('\n').map(Number);
const snap = (cid) => sql(`SELECT (SELECT count(*) FROM contest_score WHERE contest_id = ${cid}) || '/' || ` +
  `(SELECT count(*) FROM contest_judge WHERE contest_id = ${cid} AND submitted_at > 0) || '/' || (SELECT count(*) FROM contest_entrant WHERE contest_id = ${cid}) || '/' || ` +
  `(SELECT count(*) FROM contest_judge WHERE contest_id = ${cid}) || '/' || (SELECT count(*) FROM audit_log)`);
async function refused(what, cid, send, status, code, field) {
  const before = snap(cid);
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.equal(snap(cid), before, `${what} was refused but changed something`);
}
const newContest = async (c, org, over = {}) => (await ok(await c.post(`/api/v1/orgs/${org}/contests`,
  { kind: 'skill', title: `业务技能比武${++nacct}`, year: '2026', entrant_kind: 'member', ...over }), 201)).contest;

// The contest of the worked example: the town's office over its subtree, members of branch A.
const entrants = membersOf(branchA, 6);
const judges = [];
for (let i = 0; i < 5; i++) judges.push(await account('leader', townId));
let C, items, ens; // the contest, its items [业务 60/100, 作风 40/50], its entrants in order
// Each judge's weighted totals per entrant (rows E1…E6, columns J1…J5): item 1 = T, item 2 = T/2
// gives T. E1 85 (trimmed; mean 84) and E2 85 (mean 85) tie on the score, E2 first by the mean;
// E3 86 first; E4 and E5 are equal in every rule (ranks 4, 4); E6 is 6th.
const T = [[90, 85, 80, 95, 70], [85, 85, 85, 85, 85], [88, 86, 84, 60, 99], [80, 80, 80, 80, 80], [80, 80, 80, 80, 80], [70, 70, 70, 70, 70]];
const cellsOf = (j) => ens.flatMap((e, k) => [{ entrant_id: e.id, item_id: items[0].id, score: T[k][j] }, { entrant_id: e.id, item_id: items[1].id, score: T[k][j] / 2 }]);

test('setup: items with weights summing to 100, entrants from the subtree, five staff judges; opening checks each', async () => {
  C = await newContest(town, townId);
  assert.equal(C.status, 'draft');
  expectError(await town.post(`/api/v1/contests/${C.id}/open`), 422, 'invalid_weights');
  await refused('a weight of 0', C.id, () => town.post(`/api/v1/contests/${C.id}/items`, { name: '业务', weight: '0' }), 422, 'invalid_weight', 'weight');
  await ok(await town.post(`/api/v1/contests/${C.id}/items`, { name: '业务能力', weight: '60', max_score: '100' }), 201);
  await refused('weights above 100', C.id, () => town.post(`/api/v1/contests/${C.id}/items`, { name: '作风', weight: '41', max_score: '50' }), 422, 'invalid_weights', 'weight');
  await ok(await town.post(`/api/v1/contests/${C.id}/items`, { name: '工作作风', weight: '40', max_score: '50' }), 201);
  // entrants: a member of the other town is outside the office's subtree: nothing added
  const outside = membersOf(branchB, 1)[0];
  await refused('an entrant of another town', C.id, () => town.post(`/api/v1/contests/${C.id}/entrants`, { ids: `${entrants[0]}, ${outside}` }), 422, 'invalid_entrant', 'ids');
  await refused('an entrant id that is no number', C.id, () => town.post(`/api/v1/contests/${C.id}/entrants`, { ids: '12x' }), 422, 'invalid_entrant', 'ids');
  const r = await ok(await town.post(`/api/v1/contests/${C.id}/entrants`, { ids: entrants.join('\n') }), 201);
  assert.equal(r.added, 6);
  assert.equal((await ok(await town.post(`/api/v1/contests/${C.id}/entrants`, { ids: String(entrants[0]) }), 201)).added, 0, 'an entrant twice is one');
  // judges: a plain member is not one; staff accounts are
  await refused('a member as judge', C.id, () => town.post(`/api/v1/contests/${C.id}/judges`, { username: 'member' }), 422, 'invalid_judge', 'username');
  for (const j of judges.slice(0, 2)) await ok(await town.post(`/api/v1/contests/${C.id}/judges`, { user_id: j.user.id }), 201);
  expectError(await town.post(`/api/v1/contests/${C.id}/open`), 422, 'too_few_judges');
  for (const j of judges.slice(2)) await ok(await town.post(`/api/v1/contests/${C.id}/judges`, { username: j.user.username }), 201);
  await refused('a judge twice', C.id, () => town.post(`/api/v1/contests/${C.id}/judges`, { user_id: judges[0].user.id }), 409, 'already_judge');
  const opened = (await ok(await town.post(`/api/v1/contests/${C.id}/open`))).contest;
  assert.equal(opened.status, 'open');
  assert.equal(opened.progress, '0/5 评委已提交');
  await refused('an item after opening', C.id, () => town.post(`/api/v1/contests/${C.id}/items`, { name: '晚加', weight: '1' }), 409, 'not_draft');
  const sheet = await ok(await judges[0].get(`/api/v1/contests/${C.id}/score`));
  items = sheet.items;
  ens = sheet.entrants;
  assert.deepEqual(items.map((x) => [x.weight, x.max_score]), [[60, 100], [40, 50]]);
  assert.deepEqual(ens.map((e) => e.ref_id), entrants);
});

test('a judge who is an entrant, or belongs to an entrant organisation, is refused (回避) whichever comes first', async () => {
  const m = membersOf(branchA, 7)[6];
  const self = await account('secretary', branchA, m);
  const c1 = await newContest(town, townId);
  await ok(await town.post(`/api/v1/contests/${c1.id}/entrants`, { ids: String(m) }), 201);
  await refused('the entrant as judge', c1.id, () => town.post(`/api/v1/contests/${c1.id}/judges`, { user_id: self.user.id }), 422, 'conflict_of_interest', 'user_id');
  const c2 = await newContest(town, townId);
  await ok(await town.post(`/api/v1/contests/${c2.id}/judges`, { user_id: self.user.id }), 201);
  const r = await town.post(`/api/v1/contests/${c2.id}/entrants`, { ids: String(m) });
  expectError(r, 422, 'conflict_of_interest', 'ids');
  assert.match(r.json.error.message, /回避/);
  // an organisation contest: the secretary of branch A belongs to branch A
  const c3 = await newContest(town, townId, { entrant_kind: 'org' });
  await ok(await town.post(`/api/v1/contests/${c3.id}/entrants`, { ids: String(branchA) }), 201);
  await refused('a judge of an entrant branch', c3.id, () => town.post(`/api/v1/contests/${c3.id}/judges`, { username: 'secretary' }), 422, 'conflict_of_interest');
});

test('bad scores are refused whole: out of range, NaN, strings, another contest\'s item or entrant', async () => {
  const j = judges[0];
  const other = await newContest(town, townId);
  await ok(await town.post(`/api/v1/contests/${other.id}/items`, { name: '别的项目', weight: '100' }), 201);
  const foreignItem = Number(sql(`SELECT id FROM contest_item WHERE contest_id = ${other.id}`));
  const good = { entrant_id: ens[0].id, item_id: items[0].id, score: 90 };
  const cases = [
    ['101 of 100', { ...good, score: 101 }, 'invalid_score'],
    ['-1', { ...good, score: -1 }, 'invalid_score'],
    ['NaN as text', { ...good, score: 'NaN' }, 'invalid_score'],
    ['a word', { ...good, score: '九十' }, 'invalid_score'],
    ['a boolean', { ...good, score: true }, 'invalid_score'],
    ['three decimals', { ...good, score: 90.125 }, 'invalid_score'],
    ['26 of item 2 (max 50) is fine but 50.5 is not', { entrant_id: ens[0].id, item_id: items[1].id, score: 50.5 }, 'invalid_score'],
    ['an item of another contest', { ...good, item_id: foreignItem }, 'invalid_item'],
    ['an entrant of no contest', { ...good, entrant_id: 987654321 }, 'invalid_entrant'],
    ['an entrant id as text', { ...good, entrant_id: 'x' }, 'invalid_entrant'],
  ];
  for (const [what, cell, code] of cases)
    await refused(what, C.id, () => j.post(`/api/v1/contests/${C.id}/scores`, { scores: [good, cell] }), 422, code);
  await refused('scores not an array', C.id, () => j.post(`/api/v1/contests/${C.id}/scores`, { scores: 'x' }), 422, 'invalid_score');
  await refused('a submit with nothing scored', C.id, () => j.post(`/api/v1/contests/${C.id}/scores`, { submit: true }), 422, 'incomplete');
  // not a judge of this contest: the same 404 as for a missing one
  await refused('another staff account', C.id, () => office.post(`/api/v1/contests/${C.id}/scores`, { scores: [good] }), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/contests/${C.id}/score`), 404, 'not_found');
});

/** The judge's desk item for contests to score, or undefined. */
async function deskItem(c) {
  const d = await ok(await c.get('/api/v1/me/desk'));
  for (const s of d.sections) for (const x of s.items) if (x.key === 'contests_to_score') return x;
  return undefined;
}

test('a judge clears a draft cell: blank in the form or null / "" in the API removes it, never a 0; the desk lists the sheet to fill', async () => {
  const j = judges[0];
  const x = await deskItem(j);
  assert.ok(x && x.count >= 1, 'the open contest is on the judge\'s desk');
  assert.equal(x.href, '/me/contests');
  assert.ok(x.list.some((e) => e.href === `/contests/${C.id}/score` && e.label === C.title), 'linked to its sheet');
  assert.equal(await deskItem(town), undefined, 'the office judges nothing: no such item');
  const mine = async () => (await ok(await j.get(`/api/v1/contests/${C.id}/score`))).scores;
  const [a, b, c] = cellsOf(0);
  await ok(await j.post(`/api/v1/contests/${C.id}/scores`, { scores: [a, b, c] }));
  assert.equal((await mine()).length, 3);
  // the API: null and "" clear, nothing stored as 0
  const r = await ok(await j.post(`/api/v1/contests/${C.id}/scores`, { scores: [{ ...a, score: null }, { ...b, score: '' }] }));
  assert.equal(r.submitted, false);
  assert.deepEqual((await mine()).map((m) => [m.entrant_id, m.item_id]), [[c.entrant_id, c.item_id]]);
  assert.equal(sql(`SELECT count(*) FROM contest_score WHERE contest_id = ${C.id} AND user_id = ${j.user.id} AND score = 0`), '0');
  // the form: the sheet's blank field clears the value saved before, the others are kept or set
  const fd = new URLSearchParams({ _csrf: j.csrf, [`s_${c.entrant_id}_${c.item_id}`]: ' ', [`s_${a.entrant_id}_${a.item_id}`]: '77.5' });
  const f = await j.req('POST', `/contests/${C.id}/scores`, { body: fd.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(f.status, 303, f.text.slice(0, 300));
  const now = await mine();
  assert.deepEqual(now.map((m) => [m.entrant_id, m.item_id, m.score]), [[a.entrant_id, a.item_id, '77.5']]);
  // a cleared cell is unscored again: the submit names what is missing
  await refused('a submit with a cleared cell', C.id, () => j.post(`/api/v1/contests/${C.id}/scores`, { scores: [{ ...a, score: null }], submit: true }), 422, 'incomplete', 'submit');
  // clearing another contest's cell is refused like scoring it
  await refused('clearing a foreign item', C.id, () => j.post(`/api/v1/contests/${C.id}/scores`, { scores: [{ ...a, item_id: 999999, score: null }] }), 422, 'invalid_item');
  // leave the sheet empty for the next test
  await ok(await j.post(`/api/v1/contests/${C.id}/scores`, { scores: [{ ...a, score: null }] }));
  assert.equal((await mine()).length, 0);
});

test('judges score independently: drafts, then one final submit even from two tabs at once', async () => {
  for (let j = 0; j < 5; j++) {
    const cells = cellsOf(j);
    // a draft of the first half, then the rest with the submit
    await ok(await judges[j].post(`/api/v1/contests/${C.id}/scores`, { scores: cells.slice(0, 4) }));
    const mine = (await ok(await judges[j].get(`/api/v1/contests/${C.id}/score`))).scores;
    assert.equal(mine.length, 4, 'a judge sees their own draft');
    if (j === 4) continue;
    await ok(await judges[j].post(`/api/v1/contests/${C.id}/scores`, { scores: cells.slice(4), submit: true }));
    await refused('a change after submitting', C.id, () => judges[j].post(`/api/v1/contests/${C.id}/scores`, { scores: cells.slice(0, 1) }), 409, 'already_submitted');
  }
  // the last judge: two tabs submit at once
  const send = () => judges[4].post(`/api/v1/contests/${C.id}/scores`, { scores: cellsOf(4).slice(4), submit: true });
  const rs = await Promise.all([send(), send()]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.text.slice(0, 200)).join(' | '));
  expectError(rs.find((r) => r.status === 409), 409, 'already_submitted');
  assert.equal(sql(`SELECT count(*) FROM contest_judge WHERE contest_id = ${C.id} AND submitted_at > 0`), '5');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'contest' AND entity_id = ${C.id} AND action = 'submit_scores'`), '5');
});

test('the judge\'s desk: a submitted sheet leaves it', async () => {
  for (const j of judges) {
    const x = await deskItem(j);
    assert.ok(!x || !x.list.some((e) => e.href === `/contests/${C.id}/score`), 'no longer to score');
  }
});

test('before closing, no judge sees another\'s score and nobody sees a result: every route probed', async () => {
  // judge 5 gave E3 99 and 49.5, a value no one else gave
  const probes = [
    [judges[0], [`/api/v1/contests/${C.id}`, `/api/v1/contests/${C.id}/score`, '/api/v1/me/contests', `/contests/${C.id}`, `/contests/${C.id}/score`, '/me/contests']],
    [town, [`/api/v1/contests/${C.id}`, `/api/v1/orgs/${townId}/contests`, `/contests/${C.id}`, `/orgs/${townId}/contests`]],
    [office, [`/api/v1/contests/${C.id}`, `/contests/${C.id}`]],
  ];
  for (const [who, paths] of probes)
    for (const p of paths) {
      const r = await who.get(p);
      assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
      for (const s of ['49.5', '"mean"', '"rank"', 'ranking']) assert.ok(!r.text.includes(s), `${who.user.username} ${p} reveals ${s}`);
    }
  const own = (await ok(await judges[0].get(`/api/v1/contests/${C.id}/score`))).scores;
  assert.equal(own.length, 12);
  assert.ok(own.every((c) => ['90', '45', '85', '42.5', '88', '44', '80', '40', '70', '35'].includes(c.score)), 'only the judge\'s own scores');
  for (const who of [judges[0], town, office])
    for (const p of [`/api/v1/contests/${C.id}/result`, `/contests/${C.id}/result`, `/contests/${C.id}/print`])
      assert.ok([404, 409].includes((await who.get(p)).status), `${who.user.username} ${p} before closing`);
  expectError(await town.get(`/api/v1/contests/${C.id}/result`), 409, 'not_closed');
  // the office sees who submitted, nothing more
  const c = await ok(await town.get(`/api/v1/contests/${C.id}`));
  assert.equal(c.contest.progress, '5/5 评委已提交');
  assert.ok(c.judges.every((j) => j.submitted === true && Object.keys(j).sort().join() === 'name,stopped,submitted,user_id'));
  // members and the public: nothing before publication
  expectError(await member.get(`/api/v1/contests/${C.id}`), 404, 'not_found');
  assert.equal((await new Client(srv.base).get(`/p/contests/${C.id}`)).status, 404);
});

test('the result at close: the trimmed mean worked by hand, the tie rules, 1224 ranks and the method in words', async () => {
  await refused('publishing before closing', C.id, () => town.post(`/api/v1/contests/${C.id}/publish`), 409, 'not_closed');
  await ok(await town.post(`/api/v1/contests/${C.id}/close`));
  const r = await ok(await town.get(`/api/v1/contests/${C.id}/result`));
  const rows = r.ranking.map((x) => [ens.findIndex((e) => e.id === x.id) + 1, x.rank, x.score, x.mean]);
  assert.deepEqual(rows, [[3, 1, '86', '83.4'], [2, 2, '85', '85'], [1, 3, '85', '84'], [4, 4, '80', '80'], [5, 4, '80', '80'], [6, 6, '70', '70']]);
  assert.equal(r.trimmed, true);
  // each judge's weighted total, in the judges' order, for the office
  assert.deepEqual(r.ranking.find((x) => x.id === ens[2].id).judge_totals, ['88', '86', '84', '60', '99']);
  assert.match(r.method, /去掉 1 个最高分和 1 个最低分/);
  assert.match(r.method, /并列/);
  const page = await town.get(`/contests/${C.id}/print`);
  assert.equal(page.status, 200);
  assert.match(page.text, /去掉 1 个最高分/);
  // not public yet
  expectError(await member.get(`/api/v1/contests/${C.id}/result`), 404, 'not_found');
});

test('publish: frozen at /p/contests/:id with the method; members of the area see it, other branches do not', async () => {
  await ok(await town.post(`/api/v1/contests/${C.id}/publish`));
  const anon = new Client(srv.base);
  const p = await anon.get(`/p/contests/${C.id}`);
  assert.equal(p.status, 200);
  assert.match(p.text, /去掉 1 个最高分和 1 个最低分/);
  assert.match(p.text, /（并列）/);
  const full = sql(`SELECT name FROM member WHERE id = ${entrants[2]}`);
  assert.ok(!p.text.includes(full) || full.length < 2, 'a member\'s full name is masked on the public page');
  assert.equal((await anon.get(`/p/contests/${C.id}/print`)).status, 200);
  const seen = await ok(await member.get(`/api/v1/contests/${C.id}/result`));
  assert.equal(seen.ranking[0].rank, 1);
  assert.ok(seen.ranking.every((x) => !('judge_totals' in x)), 'a member sees no judge\'s total');
  assert.ok(!p.text.includes('各评委加权总分'));
  expectError(await secretary2.get(`/api/v1/contests/${C.id}/result`), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/contests/${C.id}`), 404, 'not_found');
});

test('three judges: dropping the highest and the lowest leaves the middle score; dropping two each way uses the plain mean and says so', async () => {
  const give = [[90, 80], [70, 80], [85, 80]];
  const run = async (drop) => {
    const c = await newContest(town, townId, { kind: 'custom', kind_name: '比服务', drop: String(drop) });
    await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: '服务', weight: '100' }), 201);
    await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: entrants.slice(0, 2).join(',') }), 201);
    for (const j of judges.slice(0, 3)) await ok(await town.post(`/api/v1/contests/${c.id}/judges`, { user_id: j.user.id }), 201);
    await ok(await town.post(`/api/v1/contests/${c.id}/open`));
    const sh = await ok(await judges[0].get(`/api/v1/contests/${c.id}/score`));
    for (let j = 0; j < 3; j++)
      await ok(await judges[j].post(`/api/v1/contests/${c.id}/scores`, { submit: true,
        scores: sh.entrants.map((e, k) => ({ entrant_id: e.id, item_id: sh.items[0].id, score: String(give[j][k]) })) }));
    await ok(await town.post(`/api/v1/contests/${c.id}/close`));
    return ok(await town.get(`/api/v1/contests/${c.id}/result`));
  };
  // one each way: 90, 70, 85 → 85 for the first; 80, 80, 80 → 80 for the second
  const one = await run(1);
  assert.equal(one.trimmed, true);
  assert.deepEqual(one.ranking.map((x) => [x.rank, x.score]), [[1, '85'], [2, '80']]);
  // two each way would leave nobody of three: the plain mean, 81.67 and 80, and the page says why
  const two = await run(2);
  assert.equal(two.trimmed, false);
  assert.match(two.plain_note, /少于 5 位/);
  assert.deepEqual(two.ranking.map((x) => [x.rank, x.score]), [[1, '81.67'], [2, '80']]);
});

test('recount: a published row edited behind the server\'s back is reported, --fix does not adopt it, re-publishing does', async () => {
  assert.equal(srv.cli(['recount']).status, 0, 'no difference to begin with');
  const e3 = ens[2].id;
  sql(`UPDATE contest_result SET score = 9900 WHERE contest_id = ${C.id} AND entrant_id = ${e3}`);
  const r = srv.cli(['recount']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`竞赛 ${C.id}.*公布为第 1 名 99 分，按评分应为第 1 名 86 分`));
  const f = srv.cli(['recount', '--fix']);
  assert.equal(f.status, 1, f.stdout + f.stderr);
  assert.match(f.stdout, /不会被自动修正/);
  assert.equal(sql(`SELECT score FROM contest_result WHERE contest_id = ${C.id} AND entrant_id = ${e3}`), '9900', '--fix adopted nothing');
  await ok(await town.post(`/api/v1/contests/${C.id}/publish`));
  assert.equal(sql(`SELECT score FROM contest_result WHERE contest_id = ${C.id} AND entrant_id = ${e3}`), '8600');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'contest' AND entity_id = ${C.id} AND action = 'republish'`), '1');
  assert.equal(srv.cli(['recount']).status, 0);
});

test('entrants from a spreadsheet of names: matched in the subtree, ids taken, a name unknown or shared reported by its row, nothing added then', async () => {
  const D = await newContest(town, townId);
  const otherTown = Number(sql(`SELECT parent_id FROM org WHERE id = ${branchB}`));
  const sibling = Number(sql(`SELECT min(id) FROM org WHERE parent_id = ${townId} AND active = 1 AND id <> ${branchA}`));
  // names unique in the town, and one name shared by two members of the town (a third, in another town, does not count)
  const uniq = async (org, name) => (await ok(await office.post(`/api/v1/orgs/${org}/members`, { name, idcard: newIdcard('19850101'), joined_date: '2005-07-01' }), 201)).member.id;
  const tag = `${BACKEND}${++nacct}`;
  const [u1, u2] = [await uniq(branchA, `名单甲${tag}`), await uniq(sibling, `名单乙${tag}`)];
  const [d1, d2] = [await uniq(branchA, `重名${tag}`), await uniq(sibling, `重名${tag}`)];
  const far = await uniq(branchB, `外镇${tag}`);
  await uniq(branchB, `名单甲${tag}`); // the same name in the other town: not a second match
  assert.ok(otherTown !== townId && sibling > 0);
  const post = (body) => town.req('POST', `/api/v1/contests/${D.id}/entrants/import`, { body });
  // one bad row of each kind: reported by row number, nothing added
  const csv = `姓名\n名单甲${tag}\n重名${tag}\n外镇${tag}\n${entrants[0]}\n查无此人${tag}\n`;
  const before = snap(D.id);
  const r = await post(fileForm(csv, 'list.csv'));
  expectError(r, 422, 'invalid_entrant', 'file');
  const m = r.json.error.message;
  assert.match(m, /有 3 行无法对应/);
  assert.ok(m.includes(`第 3 行：“重名${tag}”`) && m.includes(`${d1}`) && m.includes(`${d2}`), `the shared name names its ids: ${m}`);
  assert.ok(m.includes(`第 4 行：“外镇${tag}”不是`), `a member of another town is not found: ${m}`);
  assert.ok(m.includes(`第 6 行：“查无此人${tag}”不是`), m);
  assert.equal(snap(D.id), before, 'nothing added');
  assert.ok(!m.includes(String(far)), 'the other town\'s member is not revealed');
  // an XLSX with a title-less list: names and an id, the shared name replaced by its id
  const xlsx = xlsxFromRows([[`名单甲${tag}`], [`名单乙${tag}`], [String(d2)], [String(entrants[0])], [`名单甲${tag}`]]);
  const ok2 = await ok(await post(fileForm(xlsx, 'list.xlsx')), 201);
  assert.equal(ok2.added, 4, 'a row repeated is entered once');
  const got = (await ok(await town.get(`/api/v1/contests/${D.id}`))).entrants.map((e) => e.ref_id).sort((a, b) => a - b);
  assert.deepEqual(got, [u1, u2, d2, entrants[0]].sort((a, b) => a - b));
  const audit = JSON.parse(sql(`SELECT after_json FROM audit_log WHERE entity = 'contest' AND entity_id = ${D.id} AND action = 'add_entrants'`));
  assert.deepEqual([audit.added, audit.source], [4, 'sheet']);
  // no file, an empty list, a file that is no spreadsheet
  expectError(await town.req('POST', `/api/v1/contests/${D.id}/entrants/import`, { body: {} }), 400, 'file_required', 'file');
  expectError(await post(fileForm('姓名\n', 'empty.csv')), 422, 'invalid_entrant', 'file');
  const bin = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2, 3]);
  const bad = await post(fileForm(bin, 'x.xlsx'));
  assert.equal(bad.status, 422, bad.text.slice(0, 200));
  assert.equal(bad.json.error.field, 'file');
  // the page's form, and a branch's secretary may not
  const page = await town.get(`/contests/${D.id}`);
  assert.ok(page.text.includes(`action="/contests/${D.id}/entrants/import"`) && page.text.includes('enctype="multipart/form-data"'));
  expectError(await secretary.req('POST', `/api/v1/contests/${D.id}/entrants/import`, { body: fileForm(`名单甲${tag}\n`) }), 403, 'forbidden');
  // after the opening: 409 not_draft
  const x = await newContest(town, townId);
  await ok(await town.post(`/api/v1/contests/${x.id}/items`, { name: '业务', weight: '100', max_score: '100' }), 201);
  await ok(await town.post(`/api/v1/contests/${x.id}/entrants`, { ids: entrants.slice(0, 2).join(',') }), 201);
  for (const j of judges.slice(0, 3)) await ok(await town.post(`/api/v1/contests/${x.id}/judges`, { user_id: j.user.id }), 201);
  await ok(await town.post(`/api/v1/contests/${x.id}/open`));
  expectError(await town.req('POST', `/api/v1/contests/${x.id}/entrants/import`, { body: fileForm(`名单甲${tag}\n`) }), 409, 'not_draft');
});

test('the dashboard and a bulletin count the contests published and the posts set up in the period; the recount finds the bulletin unchanged', async () => {
  const townPath = sql(`SELECT path FROM org WHERE id = ${townId}`);
  const published = Number(sql(`SELECT count(*) FROM contest WHERE status = 'published' AND org_path LIKE '${townPath}%'`));
  assert.ok(published >= 1, 'this file published contests of the town');
  const now = new Date();
  const period = `${now.getFullYear()}Q${Math.floor(now.getMonth() / 3) + 1}`;
  const panel = async () => (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${period}`))).contests_posts;
  const p0 = await panel();
  assert.equal(p0.contests_published, published);
  const active = (kind) => Number(sql(`SELECT count(*) FROM service_window w JOIN org o ON o.id = w.org_id WHERE o.path LIKE '${townPath}%' AND o.active = 1 AND w.kind = '${kind}' AND w.active = 1`));
  assert.deepEqual([p0.posts, p0.areas], [active('post'), active('area')]);
  await ok(await secretary.post(`/api/v1/orgs/${branchA}/posts`, { kind: 'post', name: `统计示范岗${++nacct}`, duties: '统计。' }), 201);
  const p1 = await panel();
  assert.deepEqual([p1.posts, p1.new_posts, p1.unheld], [p0.posts + 1, p0.new_posts + 1, p0.unheld + 1]);
  // the other town's dashboard does not count the town's
  const otherTown = Number(sql(`SELECT parent_id FROM org WHERE id = ${branchB}`));
  const far = (await ok(await office.get(`/api/v1/orgs/${otherTown}/dashboard?period=${period}`))).contests_posts;
  assert.equal(far.contests_published, Number(sql(`SELECT count(*) FROM contest WHERE status = 'published' AND org_path LIKE '${sql(`SELECT path FROM org WHERE id = ${otherTown}`)}%'`)));
  // an earlier year counts none of this year's
  assert.equal((await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=2020`))).contests_posts.contests_published, 0);
  assert.match((await town.get(`/orgs/${townId}/dashboard?period=${period}`)).text, /id="contests-published">\s*\d+/);
  // the bulletin's section: the line of figures and the contests listed
  const b = (await ok(await town.post(`/api/v1/orgs/${townId}/bulletins`, { title: `竞赛统计通报${nacct}`, period, sections: 'contests' }), 201)).bulletin;
  const full = (await ok(await town.get(`/api/v1/bulletins/${b.id}`))).bulletin;
  const fig = full.sections.find((s) => s.kind === 'contests').figures;
  assert.equal(fig.caption, `本期公布三比竞赛结果 ${published} 项；新设党员示范岗 ${p1.new_posts} 个、党员责任区 ${p1.new_areas} 个。`);
  assert.equal(fig.rows.length, published);
  assert.ok(fig.rows.some((r) => r.cells[0] === C.title));
  const pb = await ok(await town.post(`/api/v1/bulletins/${b.id}/publish`, { version: b.version }));
  assert.ok(pb.bulletin);
  const rc = srv.cli(['recount', '--bulletin', String(b.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});

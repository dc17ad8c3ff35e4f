// inspections.test.mjs: inspections (督查) over HTTP, on this file's own demo database: the
// district office plans a 随机抽查 whose seed is committed when the plan is made, draws once (two
// draws at once: one wins, the other 409) and anyone can re-run the draw from the published seed
// and population; a draw larger than its population is refused; findings by the team (a secretary
// outside the team 403, another town's staff 404, a finding at an organisation that is not a
// target 422); a problem finding turned into rectification in one step (twice at once makes one
// item, the branch secretary told once); the quarter roll-ups of findings and findings closed
// following the item's verification; what each person sees; the lists and the XLSX export; bad
// input refused with its field and nothing changed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServerOn, loginAs, expectError, multipartBody, daysFromToday, sqlOn, redrawCommitted, PNG_1x1 as PNG, unzip } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, leader, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'leader', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const townB = (await office.get(`/api/v1/orgs/${branchB}`)).json.org.parent_id;
const today = daysFromToday(0);
const sql = (q) => sqlOn(srv.db, q);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
let n = 0;
const plan = (over = {}) => ({ kind: 'regular', title: `经常性督查 ${++n}`, start_date: today, end_date: daysFromToday(30), ...over });
const create = (c, org, over) => c.post(`/api/v1/orgs/${org}/inspections`, plan(over));
const getInsp = async (c, id) => ok(await c.get(`/api/v1/inspections/${id}`));
const record = async (c, id, fields) => c.req('POST', `/api/v1/inspections/${id}/findings`, await multipartBody(Object.entries(fields).map(([k, v]) => (Array.isArray(v) ? [k, ...v] : [k, v]))));

/** What a refused request must leave alone: the inspections of the district, their findings, the
 * roll-ups and the audit head. */
async function snap() {
  const [l, f, audit] = await Promise.all([office.get(`/api/v1/orgs/${rootId}/inspections`), office.get(`/api/v1/orgs/${rootId}/findings?all=1`),
    office.get(`/api/v1/orgs/${rootId}/audit`)]);
  return { l: l.json, f: f.json, audit: audit.json.records[0].seq, p: sql('SELECT quarter, org_id, findings, findings_closed FROM period_rollup ORDER BY 1, 2') };
}
async function refused(what, send, status, code, field) {
  const before = await snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(), before, `${what} was refused but changed something`);
  return r.json.error;
}

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
/** Re-runs the draw from its published seed and population (tests/lib.mjs, redrawCommitted, the
 * procedure rating.test.mjs re-runs for the phone draw): the drawn ids in order and the digest. */
function redraw(seed, ids, n) {
  const { list, digest, picks } = redrawCommitted(seed, ids, n);
  return { digest, ids: picks.map((i) => Number(list[i])) };
}

const rootPath = sql(`SELECT path FROM org WHERE id = ${rootId}`);
const branches = () => sql(`SELECT id FROM org WHERE active = 1 AND type = 'branch' AND path LIKE '${rootPath}%'`).split('\n').map(Number);

test('随机抽查: the seed is committed with the plan, drawn once (two at once: one 409), and anyone can re-run the draw', async () => {
  const std = (await ok(await office.get(`/api/v1/orgs/${rootId}/inspections`))).standard_items;
  assert.ok(std.length >= 5, 'the standards (五个好) are offered as checklist items');
  const x = (await ok(await create(office, rootId, { kind: 'random', title: '2026年支部随机抽查', draw_n: '4', population_types: 'branch',
    team: 'town', standard_items: std.slice(0, 5).map((s) => s.id).join(','), items: '党费收缴台账\n\n主题党日记录' }), 201)).inspection;
  assert.equal(x.kind, 'random');
  assert.equal(x.status, 'planned');
  assert.match(x.draw.seed_sha256, /^[0-9a-f]{64}$/);
  assert.equal(x.draw.drawn, false);
  assert.equal(x.draw.seed, undefined, 'the seed is not shown before the draw');
  const before = await getInsp(office, x.id);
  assert.deepEqual(before.targets, []);
  assert.deepEqual(before.items.map((i) => i.title), [...std.slice(0, 5).map((s) => s.title), '党费收缴台账', '主题党日记录']);
  assert.deepEqual(before.team.map((m) => m.username), ['town']);

  // two draws at once: exactly one draws, the other is told it was drawn already
  const rs = await Promise.all([0, 1].map(() => office.post(`/api/v1/inspections/${x.id}/draw`)));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409], rs.map((r) => r.text.slice(0, 200)).join('\n'));
  const lost = rs.find((r) => r.status === 409);
  assert.ok(['already_drawn', 'commitment_used'].includes(lost.json.error.code), lost.text);
  const after1 = await getInsp(office, x.id);
  const d = after1.inspection.draw;
  assert.equal(d.drawn, true);
  assert.equal(d.seed_sha256, x.draw.seed_sha256, 'the commitment shown before is the one used');
  assert.equal(sha256(d.seed), d.seed_sha256, 'sha256(seed) is the commitment');
  // the population and the order, recomputed here from the stated population
  const pop = branches();
  assert.equal(d.population, pop.length);
  const again = redraw(d.seed, pop, 4);
  assert.equal(d.population_digest, again.digest);
  assert.deepEqual(after1.targets.map((t) => t.org_id), again.ids, 'the targets are the draw, in draw order');
  assert.deepEqual(after1.targets.map((t) => t.seq), [1, 2, 3, 4]);
  // and a third try later changes nothing
  await refused('a draw after the draw', () => office.post(`/api/v1/inspections/${x.id}/draw`), 409, 'already_drawn', 'id');
  // the audit record carries the seed, the population and the drawn ids
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records.find((a) => a.entity === 'inspection' && a.action === 'draw' && a.entity_id === x.id);
  assert.ok(audit && audit.after.includes(d.seed) && audit.after.includes(d.population_digest), JSON.stringify(audit));
  // targets by hand are refused for a random draw
  await refused('targets by hand for 随机抽查', () => office.post(`/api/v1/inspections/${x.id}/targets`, { targets: String(branch) }), 422, 'targets_drawn', 'targets');
});

test('a draw larger than its population is refused and leaves the commitment unused', async () => {
  const x = (await ok(await create(office, rootId, { kind: 'random', scope_org_id: String(townId), draw_n: '500', population_types: 'branch' }), 201)).inspection;
  const e = await refused('draw_n above the population', () => office.post(`/api/v1/inspections/${x.id}/draw`), 422, 'population_too_small', 'draw_n');
  assert.match(e.message, /500/);
  const y = await getInsp(office, x.id);
  assert.equal(y.inspection.draw.drawn, false);
  assert.deepEqual(y.targets, []);
  assert.equal(sql(`SELECT used_at FROM draw_commitment WHERE id = ${x.draw.commitment_id}`), '0');
  // a population that matches nothing at all (no 党委 is a 学校 here… or none of the stated kind)
  const z = (await ok(await create(office, rootId, { kind: 'random', scope_org_id: String(branch), draw_n: '1', population_types: 'committee' }), 201)).inspection;
  await refused('an empty population', () => office.post(`/api/v1/inspections/${z.id}/draw`), 422, 'population_too_small', 'draw_n');
});

test('careless plans are refused with the field named, and nothing is made', async () => {
  const cases = [
    [{ kind: 'visit' }, 400, 'invalid_kind', 'kind'],
    [{ title: '' }, 400, 'required', 'title'],
    [{ title: '督'.repeat(101) }, 400, 'too_long', 'title'],
    [{ start_date: '2026-02-30' }, 400, 'invalid_date', 'start_date'],
    [{ end_date: daysFromToday(-1) }, 400, 'invalid_dates', 'end_date'],
    [{ kind: 'random' }, 400, 'required', 'draw_n'],
    [{ kind: 'random', draw_n: '0' }, 400, 'invalid_draw_n', 'draw_n'],
    [{ kind: 'random', draw_n: '2', population_types: 'branch,club' }, 400, 'invalid_types', 'types'],
    [{ kind: 'random', draw_n: '2', population_sectors: 'mars' }, 400, 'invalid_sectors', 'sectors'],
    [{ items: '查'.repeat(101) }, 400, 'item_too_long', 'items'],
    [{ items: Array.from({ length: 51 }, (_, i) => `项目${i}`).join('\n') }, 400, 'too_many_items', 'items'],
    [{ standard_items: '999999' }, 422, 'invalid_item', 'standard_items'],
    [{ team: 'member' }, 422, 'invalid_team', 'team'],
    [{ team: 'nobody-here' }, 422, 'invalid_team', 'team'],
    [{ targets: String(branchB) , scope_org_id: String(townId) }, 422, 'invalid_target', 'targets'],
    [{ targets: 'abc' }, 422, 'invalid_target', 'targets'],
    [{ kind: 'random', draw_n: '2', targets: String(branch) }, 422, 'targets_drawn', 'targets'],
    [{ scope_org_id: String(townB) }, 404, 'not_found', 'scope_org_id', town],
  ];
  for (const [over, status, code, field, who] of cases)
    await refused(`plan ${JSON.stringify(over).slice(0, 80)}`, () => create(who || office, who ? townId : rootId, over), status, code, field);
  // ids that do not exist, or are not ids
  for (const [m, u] of [['GET', '/api/v1/inspections/99999999'], ['POST', '/api/v1/inspections/99999999/draw'], ['POST', '/api/v1/findings/99999999/rectify'],
    ['GET', '/api/v1/finding-files/99999999'], ['GET', '/api/v1/inspections/abc'], ['POST', '/api/v1/inspections/0/start']])
    await refused(`${m} ${u}`, () => office.req(m, u, { body: m === 'POST' ? {} : undefined }), 404, 'not_found');
  // a secretary or a member may not plan at all; a town office not above its own town
  await refused('a secretary plans', () => create(secretary, branch), 403, 'forbidden');
  await refused('a member plans', () => create(member, branch), 403, 'forbidden');
  await refused('the town office plans over the district', () => create(town, rootId), 404, 'not_found');
});

// A regular inspection by the district office of both towns' branches, the team: the first town's office.
let insp, problemId;
test('findings: by the team or the office, at a target, while running; others refused', async () => {
  const std = (await ok(await office.get(`/api/v1/orgs/${rootId}/inspections`))).standard_items;
  insp = (await ok(await create(office, rootId, { title: '两镇支部经常性督查', team: 'town', standard_items: String(std[0].id), targets: `${branch},${branchB}` }), 201)).inspection;
  const y = await getInsp(office, insp.id);
  assert.deepEqual(y.targets.map((t) => t.org_id), [branch, branchB]);
  const item = y.items[0].id;
  await refused('a finding before the start', () => record(town, insp.id, { org_id: branch, level: 'ok', text: '符合' }), 409, 'invalid_transition', 'status');
  await refused('the team starts it', () => town.post(`/api/v1/inspections/${insp.id}/start`), 404, 'not_found');
  await ok(await office.post(`/api/v1/inspections/${insp.id}/start`, { version: String(y.inspection.version) }));
  await refused('start twice', () => office.post(`/api/v1/inspections/${insp.id}/start`), 409, 'invalid_transition', 'status');
  // a secretary of an inspected branch, not on the team, may read but not record
  await refused('a non-team secretary records a finding', () => record(secretary2, insp.id, { org_id: branchB, level: 'problem', text: '自己记录' }), 403, 'not_allowed', 'id');
  await refused('a member records', () => record(member, insp.id, { org_id: branch, level: 'ok' }), 403, 'forbidden');
  // careless team member
  await refused('an organisation that is not a target', () => record(town, insp.id, { org_id: townId, level: 'problem', text: '镇党委的问题' }), 422, 'not_target', 'org_id');
  await refused('an unknown organisation', () => record(town, insp.id, { org_id: 99999999, level: 'problem', text: '？' }), 422, 'not_target', 'org_id');
  await refused('no organisation', () => record(town, insp.id, { level: 'problem', text: '？' }), 400, 'required', 'org_id');
  await refused('a problem without text', () => record(town, insp.id, { org_id: branch, level: 'problem', text: '   ' }), 400, 'required', 'text');
  await refused('a bad level', () => record(town, insp.id, { org_id: branch, level: 'bad', text: 'x' }), 400, 'invalid_level', 'level');
  await refused('a future date', () => record(town, insp.id, { org_id: branch, level: 'ok', found_on: daysFromToday(3) }), 400, 'future_date', 'found_on');
  await refused('another inspection\'s item', () => record(town, insp.id, { org_id: branch, level: 'ok', item_id: 999999 }), 422, 'invalid_item', 'item_id');
  await refused('a huge text', () => record(town, insp.id, { org_id: branch, level: 'problem', text: '问'.repeat(1001) }), 400, 'too_long', 'text');
  await refused('a file that is not an image', () => record(town, insp.id, { org_id: branch, level: 'ok', evidence: [Buffer.from('MZ\x90\x00 not a picture'), 'x.png'] }), 400, 'evidence_type', 'evidence');

  const p = (await ok(await record(town, insp.id, { org_id: branch, item_id: item, level: 'problem', text: '三会一课记录不全，近两个月缺会议记录', evidence: [PNG, '会议记录.png'] }), 201)).finding;
  assert.equal(p.level, 'problem');
  assert.equal(p.files.length, 1);
  problemId = p.id;
  const okB = (await ok(await record(office, insp.id, { org_id: branchB, level: 'ok', text: '台账齐全' }), 201)).finding;
  const probB = (await ok(await record(town, insp.id, { org_id: branchB, level: 'problem', text: '乙支部阵地建设不到位' }), 201)).finding;
  // the file is served by content type to those who may see the finding
  const file = await town.get(`/api/v1/finding-files/${p.files[0].id}`);
  assert.equal(file.status, 200);
  expectError(await secretary2.get(`/api/v1/finding-files/${p.files[0].id}`), 404, 'not_found');
  // who sees what: the office and the team everything; each branch's staff only their own findings
  const mine = (c) => c.get(`/api/v1/inspections/${insp.id}`).then((r) => ok(r)).then((j) => j.findings.map((f) => f.id).sort());
  assert.deepEqual(await mine(office), [p.id, okB.id, probB.id].sort());
  assert.deepEqual(await mine(town), [p.id, okB.id, probB.id].sort());
  assert.deepEqual(await mine(secretary), [p.id]);
  assert.deepEqual(await mine(secretary2), [okB.id, probB.id].sort());
  expectError(await member.get(`/api/v1/inspections/${insp.id}`), 403, 'forbidden');
  // the town office's own inspection of its branch is not another town's business
  const own = (await ok(await create(town, townId, { title: '镇内督查', targets: String(branch) }), 201)).inspection;
  for (const [m, u, body, st] of [['GET', `/api/v1/inspections/${own.id}`], ['POST', `/api/v1/inspections/${own.id}/start`, {}, 403],
    ['POST', `/api/v1/inspections/${own.id}/findings`, { org_id: branch, level: 'ok' }], ['GET', `/api/v1/inspections/${own.id}/findings?format=xlsx`]])
    await refused(`secretary2 ${m} ${u}`, () => secretary2.req(m, u, { body }), st || 404, st ? 'forbidden' : 'not_found'); // starting is an office's
  // the district office's inspection of the other town only: 404 for the first town's office
  const other = (await ok(await create(office, rootId, { title: '乙镇专项督查', kind: 'special', scope_org_id: String(townB), targets: String(branchB) }), 201)).inspection;
  for (const [m, u, body] of [['GET', `/api/v1/inspections/${other.id}`], ['POST', `/api/v1/inspections/${other.id}/close`, {}],
    ['POST', `/api/v1/inspections/${other.id}/targets`, { targets: String(branchB) }]])
    await refused(`town ${m} ${u}`, () => town.req(m, u, { body }), 404, 'not_found');
  const listed = (await ok(await town.get(`/api/v1/orgs/${townId}/inspections`))).inspections.map((i) => i.id);
  assert.ok(listed.includes(insp.id) && listed.includes(own.id) && !listed.includes(other.id), JSON.stringify(listed));
});

test('a problem finding becomes one rectification item in one step, even twice at once; the branch secretary is told once', async () => {
  const body = { measure: '补齐会议记录，建立三会一课台账', owner: '李书记', due_date: daysFromToday(20) };
  await refused('rectify without a measure', () => town.post(`/api/v1/findings/${problemId}/rectify`, { ...body, measure: '' }), 400, 'required', 'measure');
  await refused('rectify with a past due date', () => town.post(`/api/v1/findings/${problemId}/rectify`, { ...body, due_date: daysFromToday(-2) }), 400, 'date_in_past', 'due_date');
  await refused('the inspected secretary rectifies', () => secretary.post(`/api/v1/findings/${problemId}/rectify`, body), 403, 'not_allowed', 'id');
  const okFinding = (await ok(await office.get(`/api/v1/inspections/${insp.id}`))).findings.find((f) => f.level === 'ok');
  await refused('an ok finding', () => office.post(`/api/v1/findings/${okFinding.id}/rectify`, body), 409, 'not_problem', 'id');
  const rs = await Promise.all([town, office].map((c) => c.post(`/api/v1/findings/${problemId}/rectify`, body)));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409], rs.map((r) => r.text.slice(0, 200)).join('\n'));
  assert.equal(rs.find((r) => r.status === 409).json.error.code, 'already_rectified');
  const rid = rs.find((r) => r.status === 201).json.rect_id;
  const items = (await ok(await office.get(`/api/v1/orgs/${branch}/rectifications?scope=own&per_page=500`))).rectifications
    .filter((x) => x.source === 'inspection' && x.source_id === problemId);
  assert.deepEqual(items.map((x) => x.id), [rid]);
  assert.equal(items[0].source_kind, 'finding');
  assert.equal(items[0].problem, '三会一课记录不全，近两个月缺会议记录');
  const notes = (await ok(await secretary.get('/api/v1/me/notifications?per_page=200'))).notifications.filter((x) => x.link === `/rectifications/${rid}`);
  assert.equal(notes.length, 1, 'the secretary is told once');
  await refused('rectify again later', () => office.post(`/api/v1/findings/${problemId}/rectify`, body), 409, 'already_rectified', 'id');
  const f = (await ok(await office.get(`/api/v1/inspections/${insp.id}`))).findings.find((x) => x.id === problemId);
  assert.equal(f.rect_id, rid);
  assert.equal(f.can_rectify, false);
});

test('the roll-ups: a problem finding counts at once; closed when its item is verified (销号), not when submitted or sent back', async () => {
  const q = Math.floor(Number(today.slice(0, 4))) * 10 + Math.ceil(Number(today.slice(5, 7)) / 3);
  const row = (org) => sql(`SELECT findings || '/' || findings_closed FROM period_rollup WHERE quarter = ${q} AND org_id = ${org}`);
  // the same count from the records (as period_raw makes it), for the district: the demo's findings are in another quarter
  const raw = (org) => sql(`SELECT count(*) FROM inspection_finding f JOIN org o ON o.id = f.org_id WHERE f.level = 'problem' AND o.path LIKE ` +
    `(SELECT path FROM org WHERE id = ${org}) || '%' AND substr(f.found_on, 1, 4) = '${today.slice(0, 4)}' AND (CAST(substr(f.found_on, 6, 2) AS INTEGER) + 2) / 3 = ${q % 10}`);
  assert.equal(row(branch), '1/0');
  assert.equal(row(townId), '1/0');
  assert.equal(row(branchB), '1/0');
  assert.equal(row(rootId), `${raw(rootId)}/0`);
  const rid = (await ok(await office.get(`/api/v1/inspections/${insp.id}`))).findings.find((x) => x.id === problemId).rect_id;
  await ok(await secretary.post(`/api/v1/rectifications/${rid}/submit`, { note: '已补齐', no_evidence_reason: '纸质台账已交镇党委' }));
  assert.equal(row(branch), '1/0', 'submitted is not closed');
  await ok(await town.post(`/api/v1/rectifications/${rid}/reopen`, { reason: '记录仍缺签名' }));
  assert.equal(row(branch), '1/0');
  await ok(await secretary.post(`/api/v1/rectifications/${rid}/submit`, { note: '已补签名', no_evidence_reason: '纸质台账已交镇党委' }));
  await ok(await town.post(`/api/v1/rectifications/${rid}/verify`, { note: '合格' }));
  assert.equal(row(branch), '1/1');
  assert.equal(row(townId), '1/1');
  assert.equal(row(rootId), `${raw(rootId)}/1`);
  assert.equal(row(branchB), '1/0');
  // the open findings up the tree: the verified one is gone, the other town's problem remains
  const open = (await ok(await office.get(`/api/v1/orgs/${rootId}/findings`))).findings;
  assert.ok(!open.some((x) => x.id === problemId));
  assert.ok(open.some((x) => x.org_id === branchB && x.level === 'problem'));
  assert.ok(open.every((x) => x.level === 'problem'));
  const townOpen = (await ok(await town.get(`/api/v1/orgs/${townId}/findings`))).findings;
  assert.ok(!townOpen.some((x) => x.org_id === branchB), 'the town sees its own subtree only');
  expectError(await town.get(`/api/v1/orgs/${townB}/findings`), 404, 'not_found');
});

test('the XLSX export of an inspection\'s findings, close, and no findings after it', async () => {
  const r = await office.get(`/api/v1/inspections/${insp.id}/findings?format=xlsx`);
  assert.equal(r.status, 200);
  const xlsxText = (b) => { const f = unzip(b); return (f['xl/sharedStrings.xml'] || '').toString('utf8') + (f['xl/worksheets/sheet1.xml'] || '').toString('utf8'); };
  const text = xlsxText(r.buf);
  assert.ok(text.includes('三会一课记录不全') && text.includes('乙支部阵地建设不到位'), text.slice(0, 300));
  // the branch secretary's export holds only the branch's findings
  const mineText = xlsxText((await secretary.get(`/api/v1/inspections/${insp.id}/findings?format=xlsx`)).buf);
  assert.ok(mineText.includes('三会一课记录不全') && !mineText.includes('乙支部阵地建设不到位'));
  expectError(await office.get(`/api/v1/inspections/${insp.id}/findings?format=pdf`), 400, 'invalid_format', 'format');
  await ok(await office.post(`/api/v1/inspections/${insp.id}/close`));
  await refused('a finding after the close', () => record(town, insp.id, { org_id: branch, level: 'ok' }), 409, 'invalid_transition', 'status');
  await refused('close twice', () => office.post(`/api/v1/inspections/${insp.id}/close`), 409, 'invalid_transition', 'status');
});

test('the desk shows the team and the office the problems not yet turned into rectification', async () => {
  const count = async (c) => ((await ok(await c.get('/api/v1/me/desk'))).sections.flatMap((s) => s.items).find((i) => i.key === 'findings_unrectified') || {}).count;
  // the problems without rectification of the inspections the first town's office is on the team of
  // (the demo's 随机抽查 and this file's), and of all the district's for its office
  const open = (team) => Number(sql(`SELECT count(*) FROM inspection_finding f WHERE f.level = 'problem' AND f.rect_id IS NULL` +
    (team ? ` AND f.inspection_id IN (SELECT m.inspection_id FROM inspection_member m JOIN app_user u ON u.id = m.user_id WHERE u.username = 'town')` : '')));
  assert.ok(open(true) >= 1);
  assert.equal(await count(town), open(true), 'the other town\'s problem, recorded by the team, among them');
  assert.equal(await count(office), open(false));
  assert.equal(await count(secretary), undefined);
});

test('pages: the list with its form, the inspection, the open findings', async () => {
  for (const u of [`/orgs/${rootId}/inspections`, `/inspections/${insp.id}`, `/orgs/${rootId}/findings`]) {
    const r = await office.get(u);
    assert.equal(r.status, 200, u);
    assert.match(r.text, /督查/);
  }
  assert.match((await office.get(`/orgs/${rootId}/inspections`)).text, /新建督查/);
  const drawn = (await ok(await office.get(`/api/v1/orgs/${rootId}/inspections`))).inspections.find((i) => i.kind === 'random' && i.draw.drawn);
  assert.match((await office.get(`/inspections/${drawn.id}`)).text, /在用的党支部（全部领域），抽取 \d+ 个/);
  const toPage = await office.get(`/inspections/${insp.id}/findings`);
  assert.equal(toPage.status, 303);
  assert.equal(toPage.headers.get('location'), `/inspections/${insp.id}#findings`);
  assert.doesNotMatch((await secretary.get(`/orgs/${branch}/inspections`)).text, /新建督查/);
  // a form with an error shows the form again with the message on its field; nothing made
  const form = (body) => office.req('POST', `/orgs/${rootId}/inspections`, { body: new URLSearchParams(body).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  const before = await snap();
  const bad = await form({ _csrf: office.csrf, ...plan({ end_date: daysFromToday(-3) }) });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /data-field="end_date"/);
  assert.match(bad.text, /结束日期/);
  assert.equal((await form(plan())).status, 403, 'no CSRF token');
  assert.deepEqual(await snap(), before);
  // checkboxes sent several times: every standard item chosen
  const std = (await ok(await office.get(`/api/v1/orgs/${rootId}/inspections`))).standard_items;
  const body = new URLSearchParams({ _csrf: office.csrf, ...plan({ title: '页面新建的督查' }) });
  body.append('standard_items', String(std[0].id));
  body.append('standard_items', String(std[1].id));
  const good = await office.req('POST', `/orgs/${rootId}/inspections`, { body: body.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(good.status, 303);
  const id = Number(good.headers.get('location').match(/^\/inspections\/(\d+)$/)[1]);
  assert.deepEqual((await getInsp(office, id)).items.map((i) => i.title), [std[0].title, std[1].title]);
  // targets chosen on the page from the scope's organisations (checkboxes)
  const pg = await office.get(`/inspections/${id}`);
  assert.match(pg.text, new RegExp(`name="targets" value="${branch}"`));
  const add = new URLSearchParams({ _csrf: office.csrf });
  add.append('targets', String(branch));
  add.append('targets', String(branchB));
  const added = await office.req('POST', `/inspections/${id}/targets`, { body: add.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(added.status, 303);
  assert.deepEqual((await getInsp(office, id)).targets.map((t) => t.org_id), [branch, branchB]);
  // the scope offered on the new-plan form: the office's organisation and the levels below it
  assert.match((await office.get(`/orgs/${rootId}/inspections`)).text, new RegExp(`<option value="${townId}">`));
});

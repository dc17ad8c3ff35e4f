// goals.test.mjs: annual goals (年初工作目标) and their acceptance by the level above (issue 22), on
// this file's own demo database, used as a careless user or an attacker would. A branch writes its
// goals (bad years, titles, measures and campaigns are refused naming the field and change nothing);
// another town's secretary and a plain member reach none of it; only an office strictly above the
// goal's organisation accepts or returns it (the branch's secretary, the town for its own goals and
// whoever submitted a goal are refused); an accepted goal edited becomes a new version to accept
// again, every accepted version kept; progress only against accepted goals; the demo gives every
// town its goals; bulletins print the goals' figures and `cxzy recount --bulletin` finds them again
// (and reports a later change truthfully).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, demoStaff, expectError, expectOk, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const { office, town, secretary, member, secretary2, rootId, townId, branchA: branch, branchB: branch2 } = await demoStaff(srv.base);
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
const state = () => [count('org_goal'), count('org_goal_version'), count('org_goal_progress'), count('audit_log'),
  sql('SELECT coalesce(sum(version * 7 + progress), 0) FROM org_goal')];
const year = String(new Date().getFullYear());
const create = (who, org, b) => who.post(`/api/v1/orgs/${org}/goals`, b);

let g1;

const deskCount = async (c) => (await ok(await c.get('/api/v1/me/desk'))).sections.flatMap((x) => x.items).find((i) => i.key === 'goals_to_accept');
const waitingBelow = (orgId) => Number(sql(`SELECT count(*) FROM org_goal g JOIN org o ON o.id = g.org_id WHERE g.status = 'submitted' AND g.org_id <> ${orgId}
  AND o.path LIKE (SELECT path FROM org WHERE id = ${orgId}) || '%'`));

test('a branch writes its goals; bad input is refused naming the field and changes nothing', async () => {
  const before = state();
  const bad = [
    [{ title: '目标' }, 400, 'required', 'year'],
    [{ year: '二〇二六', title: '目标' }, 400, 'invalid_year', 'year'],
    [{ year: '1999', title: '目标' }, 400, 'invalid_year', 'year'],
    [{ year: '2026.5', title: '目标' }, 400, 'invalid_year', 'year'],
    [{ year, title: '' }, 400, 'required', 'title'],
    [{ year, title: '   ' }, 400, 'required', 'title'],
    [{ year, title: '两行\n目标' }, 400, 'invalid_text', 'title'],
    [{ year, title: '长'.repeat(101) }, 400, 'too_long', 'title'],
    [{ year, title: '目标', measure: '措'.repeat(2001) }, 400, 'too_long', 'measure'],
    [{ year, title: '目标', campaign_id: 'abc' }, 400, 'invalid_id', 'campaign_id'],
    [{ year, title: '目标', campaign_id: '999999' }, 422, 'invalid_campaign', 'campaign_id'],
    [{ year: '2099', title: '目标' }, 422, 'year_outside_campaign', 'year'],
  ];
  for (const [b, st, code, field] of bad) expectError(await create(secretary, branch, b), st, code, field);
  expectError(await secretary.req('POST', `/api/v1/orgs/${branch}/goals`, { body: '{"year":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  // a member may not write goals; another town's secretary learns nothing of this branch
  expectError(await create(member, branch, { year, title: '党员写的目标' }), 403, 'forbidden');
  expectError(await create(secretary2, branch, { year, title: '越权目标' }), 404, 'not_found');
  assert.deepEqual(state(), before, 'a refused goal wrote something');

  g1 = (await ok(await create(secretary, branch, { year, title: '支部“五个好”达标<script>x</script>', measure: '每季度对照检查一次。' }), 201)).goal;
  assert.equal(g1.status, 'draft');
  assert.equal(g1.version, 1);
  assert.equal(g1.year, Number(year));
  // the page escapes what was typed
  const page = await secretary.get(`/goals/${g1.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('&lt;script&gt;x&lt;/script&gt;') && !page.text.includes('<script>x</script>'), 'the title is not escaped');
  // the org page links to the goals
  assert.match((await secretary.get(`/orgs/${branch}`)).text, new RegExp(`/orgs/${branch}/goals`));
});

test('only an office strictly above accepts or returns; nobody decides the goal they submitted', async () => {
  // nothing to decide on a draft; no progress before acceptance
  expectError(await town.post(`/api/v1/goals/${g1.id}/accept`, {}), 409, 'goal_state', 'id');
  expectError(await secretary.post(`/api/v1/goals/${g1.id}/progress`, { percent: '10', text: '开始' }), 409, 'goal_not_accepted', 'id');
  await ok(await secretary.post(`/api/v1/goals/${g1.id}/submit`, {}));
  expectError(await secretary.post(`/api/v1/goals/${g1.id}/submit`, {}), 409, 'goal_state', 'id');
  // the town's desk counts it (and the district's), linking to the list of goals to accept; the branch's has no such item
  const td = await deskCount(town);
  assert.equal(td.count, waitingBelow(townId));
  assert.ok(td.count >= 1 && td.href === `/orgs/${townId}/goals?status=submitted`);
  assert.equal((await deskCount(office)).count, waitingBelow(rootId));
  assert.equal(await deskCount(secretary), undefined);
  // the branch's secretary holds no office: the route refuses; another town's secretary sees nothing
  expectError(await secretary.post(`/api/v1/goals/${g1.id}/accept`, {}), 403, 'forbidden');
  for (const [m, p, b] of [['GET', `/api/v1/goals/${g1.id}`], ['PATCH', `/api/v1/goals/${g1.id}`, { title: '改' }],
    ['POST', `/api/v1/goals/${g1.id}/submit`, {}], ['POST', `/api/v1/goals/${g1.id}/progress`, { percent: '1', text: 'x' }]])
    expectError(await secretary2.req(m, p, { body: b }), 404, 'not_found');
  const theirs = (await ok(await secretary2.get(`/api/v1/orgs/${branch2}/goals?per_page=200`))).goals;
  assert.ok(!theirs.some((g) => g.id === g1.id), 'another town lists this branch\'s goal');
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/goals`), 404, 'not_found');
  // a return needs its reason; then the branch edits and submits again
  const before = state();
  expectError(await town.post(`/api/v1/goals/${g1.id}/return`, {}), 400, 'required', 'note');
  expectError(await town.post(`/api/v1/goals/${g1.id}/return`, { note: '　' }), 400, 'required', 'note');
  assert.deepEqual(state(), before);
  const ret = (await ok(await town.post(`/api/v1/goals/${g1.id}/return`, { note: '请写明达标的村数' }))).goal;
  assert.equal(ret.status, 'returned');
  assert.equal(ret.note, '请写明达标的村数');
  expectError(await town.post(`/api/v1/goals/${g1.id}/accept`, {}), 409, 'goal_state', 'id');
  await ok(await secretary.patch(`/api/v1/goals/${g1.id}`, { measure: '每季度对照检查一次，年底全部达标。' }));
  await ok(await secretary.post(`/api/v1/goals/${g1.id}/submit`, {}));
  const acc = (await ok(await town.post(`/api/v1/goals/${g1.id}/accept`, {}))).goal;
  assert.deepEqual([acc.status, acc.accepted_version, acc.office_id], ['accepted', 1, townId]);
  // the town's own goal: the town's office may not accept it; the district's may
  const tg = (await ok(await create(town, townId, { year, title: '镇党委：村级组织全部达到“五个好”' }), 201)).goal;
  await ok(await town.post(`/api/v1/goals/${tg.id}/submit`, {}));
  expectError(await town.post(`/api/v1/goals/${tg.id}/accept`, {}), 403, 'forbidden');
  assert.equal((await ok(await office.post(`/api/v1/goals/${tg.id}/accept`, {}))).goal.office_id, rootId);
  // the town's office writes and submits a goal for the branch: someone else must accept it
  const mine = (await ok(await create(town, branch, { year, title: '镇里代拟的支部目标' }), 201)).goal;
  await ok(await town.post(`/api/v1/goals/${mine.id}/submit`, {}));
  expectError(await town.post(`/api/v1/goals/${mine.id}/accept`, {}), 403, 'own_goal', 'id');
  expectError(await town.post(`/api/v1/goals/${mine.id}/return`, { note: '自己退回' }), 403, 'own_goal', 'id');
  await ok(await office.post(`/api/v1/goals/${mine.id}/accept`, {}));
  // every step is in the audit log
  assert.ok(count('audit_log', `WHERE entity = 'goal' AND entity_id = ${g1.id}`) >= 6);
});

test('an accepted goal edited becomes a new version to accept again; accepted versions are kept', async () => {
  const v2 = (await ok(await secretary.patch(`/api/v1/goals/${g1.id}`, { title: '支部“五个好”全部达标（调整）' }))).goal;
  assert.deepEqual([v2.version, v2.status, v2.accepted_version], [2, 'submitted', 1]);
  let full = (await ok(await secretary.get(`/api/v1/goals/${g1.id}`))).goal;
  assert.deepEqual(full.versions.map((v) => [v.version, v.title]), [[1, '支部“五个好”达标<script>x</script>']]);
  // progress still goes against the accepted version while the new one waits
  await ok(await secretary.post(`/api/v1/goals/${g1.id}/progress`, { percent: '30', text: '一季度完成三个村的对照检查' }), 201);
  await ok(await town.post(`/api/v1/goals/${g1.id}/accept`, {}));
  full = (await ok(await secretary.get(`/api/v1/goals/${g1.id}`))).goal;
  assert.deepEqual(full.versions.map((v) => v.version), [2, 1]);
  assert.equal(full.versions[0].title, '支部“五个好”全部达标（调整）');
  assert.equal(full.accepted_version, 2);
  // a PATCH with a bad title changes nothing
  const before = state();
  expectError(await secretary.patch(`/api/v1/goals/${g1.id}`, { title: '' }), 400, 'required', 'title');
  assert.deepEqual(state(), before);
});

test('progress entries: bad percents and empty texts are refused; the newest sets the goal\'s progress', async () => {
  const before = state();
  for (const [b, st, code, field] of [[{ text: 'x' }, 400, 'required', 'percent'], [{ percent: '101', text: 'x' }, 400, 'invalid_percent', 'percent'],
    [{ percent: '-1', text: 'x' }, 400, 'invalid_percent', 'percent'], [{ percent: '五十', text: 'x' }, 400, 'invalid_percent', 'percent'],
    [{ percent: '50' }, 400, 'required', 'text'], [{ percent: '50', text: '长'.repeat(2001) }, 400, 'too_long', 'text']])
    expectError(await secretary.post(`/api/v1/goals/${g1.id}/progress`, b), st, code, field);
  expectError(await member.post(`/api/v1/goals/${g1.id}/progress`, { percent: '90', text: 'x' }), 403, 'forbidden');
  assert.deepEqual(state(), before);
  const g = (await ok(await secretary.post(`/api/v1/goals/${g1.id}/progress`, { percent: '60', text: '半年完成六个村' }), 201)).goal;
  assert.equal(g.progress, 60);
  const full = (await ok(await town.get(`/api/v1/goals/${g1.id}`))).goal;
  assert.deepEqual(full.progress_entries.map((p) => p.percent), [60, 30]);
  assert.equal(full.progress_entries[0].author.length > 0, true);
  // lists: the town sees the branch's goals; filters are checked
  const list = (await ok(await town.get(`/api/v1/orgs/${townId}/goals?year=${year}&status=accepted`))).goals;
  assert.ok(list.some((x) => x.id === g1.id && x.progress === 60));
  expectError(await town.get(`/api/v1/orgs/${townId}/goals?year=abc`), 400, 'invalid_query', 'year');
  expectError(await town.get(`/api/v1/orgs/${townId}/goals?status=done`), 400, 'invalid_query', 'status');
});

test('the demo gives every town goals, accepted by the district office, with progress', async () => {
  const towns = sql(`SELECT count(DISTINCT g.org_id) FROM org_goal g JOIN org o ON o.id = g.org_id WHERE o.parent_id = ${rootId} AND g.created_by = 0`);
  const withKids = sql(`SELECT count(*) FROM org o WHERE o.parent_id = ${rootId} AND o.active = 1 AND EXISTS (SELECT 1 FROM org k WHERE k.parent_id = o.id AND k.active = 1)`);
  assert.equal(Number(towns), Number(withKids));
  assert.ok(count('org_goal_version', `WHERE office_id = ${rootId}`) >= Number(withKids));
  const list = (await ok(await office.get(`/api/v1/orgs/${rootId}/goals?status=submitted&per_page=200`))).goals;
  assert.ok(list.length >= 1, 'the demo has a goal waiting for acceptance');
});

test('a town\'s periodic report shows its own goals of the year with their progress', async () => {
  const rid = Number(sql(`SELECT coalesce(max(r.id), 0) FROM report r JOIN report_schedule s ON s.id = r.schedule_id WHERE r.org_id = ${townId} AND s.period_end LIKE '${year}-%'`));
  assert.ok(rid > 0, 'the demo has a report of the town this year');
  const rep = await ok(await town.get(`/api/v1/reports/${rid}`));
  const want = sql(`SELECT title FROM org_goal WHERE org_id = ${townId} AND year = ${year} ORDER BY id`).split('\n').filter(Boolean);
  assert.deepEqual(rep.goals.map((g) => g.title).sort(), want.sort());
  const accepted = rep.goals.find((g) => g.status_label === '已验收');
  assert.match(accepted.progress_text, /^\d+%$/);
  assert.ok(rep.goals.some((g) => g.progress_text === '—'), 'a goal not accepted shows no progress');
  assert.match((await town.get(`/reports/${rid}`)).text, /年度工作目标完成情况/);
  // another town's secretary still reads nothing of it
  expectError(await secretary2.get(`/api/v1/reports/${rid}`), 404, 'not_found');
});

test('bulletins print the goals\' figures; recount finds them again and reports a later change', async () => {
  const now = new Date();
  const period = `${now.getFullYear()}Q${Math.floor(now.getMonth() / 3) + 1}`;
  const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, { title: '年度工作目标通报', period, sections: 'goals' }), 201)).bulletin;
  const b = (await ok(await office.post(`/api/v1/bulletins/${d.id}/publish`, { version: d.version }))).bulletin;
  const fig = b.sections.find((s) => s.kind === 'goals').figures;
  const row = fig.rows.find((r) => r.key === `org:${townId}`);
  assert.ok(row, JSON.stringify(fig.rows));
  const inTown = `FROM org_goal g JOIN org o ON o.id = g.org_id WHERE o.path LIKE (SELECT path FROM org WHERE id = ${townId}) || '%' AND g.year = ${year}`;
  assert.equal(Number(row.cells[1]), Number(sql(`SELECT count(*) ${inTown}`)));
  assert.equal(Number(row.cells[2]), Number(sql(`SELECT count(*) ${inTown} AND g.accepted_version > 0`)));
  assert.equal(Number(row.cells[3]), Number(sql(`SELECT count(*) ${inTown} AND g.accepted_version > 0 AND g.progress = 100`)));
  const total = fig.rows.find((r) => r.key === 'total:0');
  assert.equal(Number(total.cells[1]), Number(sql(`SELECT count(*) FROM org_goal WHERE year = ${year}`)));
  let r = srv.cli(['recount', '--bulletin', String(b.id)]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // the branch finishes its goal after the bulletin: the recount says so
  await ok(await secretary.post(`/api/v1/goals/${g1.id}/progress`, { percent: '100', text: '全部达标' }), 201);
  r = srv.cli(['recount', '--bulletin', String(b.id)]);
  assert.notEqual(r.status, 0, r.stdout);
  assert.match(r.stdout, /年度工作目标|已完成|goals/);
});

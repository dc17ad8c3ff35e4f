// sector_standards.test.mjs: standards and indicators by sector (issue 22) over HTTP, on this
// file's own demo database. In one round a state-owned enterprise's members are reviewed on 四优
// (its indicators and points) while the village branch stays on 五带头; grades come from the
// indicator points and the set's own rule; the figures by set keep them apart. The office edits a
// set after the round opened: a new version, the open round keeps the old one, a later round takes
// the new one. A town office and a secretary cannot change the district's sets (they read them);
// malformed indicator bodies and points out of range are refused with the field named and change
// nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, daysFromToday } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member] = await Promise.all(['office', 'town', 'secretary', 'member'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const villageBranch = secretary.user.roles[0].org_id;

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}
const campaign = (await ok(await office.get(`/api/v1/orgs/${rootId}/campaigns`))).campaigns.at(-1);
const stdUrl = `/api/v1/campaigns/${campaign.id}/sector-standards`;
const setsUrl = `/api/v1/campaigns/${campaign.id}/standard-sets`;

/** The first branch with at least three full members under the district's committee of a sector. */
async function branchOf(sector) {
  const queue = (await ok(await office.get(`/api/v1/orgs/${rootId}`))).children.filter((c) => c.sector === sector);
  while (queue.length) {
    const o = queue.shift();
    if (o.type === 'branch' && o.members >= 3) {
      const ms = (await ok(await office.get(`/api/v1/orgs/${o.id}/members?per_page=50`))).members.filter((m) => m.status === 'full');
      if (ms.length >= 3) return { org: o, members: ms };
    }
    if (o.children) queue.push(...(await ok(await office.get(`/api/v1/orgs/${o.id}`))).children);
  }
  throw new Error(`no ${sector} branch with three full members in the demo`);
}
const soe = await branchOf('soe');
const priv = await branchOf('private');

const period = { start_date: daysFromToday(-170), end_date: daysFromToday(-11) };
let R1, R2, siyou1;
const rules = async () => (await ok(await office.get(stdUrl))).rules;
const setById = async (id) => (await ok(await office.get(stdUrl))).sets.find((s) => s.id === id);
const auditHead = async () => (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records[0];
const selfReview = (m, round, levels) => office.post(`/api/v1/members/${m.id}/review`, {
  round_id: round.id, kind: 'self', levels, achievements: '完成岗位任务', shortcomings: '学习不够系统', direction: '加强学习' });
const formOf = async (m, round) => (await ok(await office.get(`/api/v1/members/${m.id}/review?round_id=${round.id}`)));

test('the demo campaign reviews SOE branches on 四强/四优 and non-public ones on 四比四争; villages stay on 五个好/五带头', async () => {
  const r = await rules();
  const pick = (target, sector) => r.find((x) => x.target === target && x.sector === sector && x.org_type === '');
  assert.equal(pick('org', 'soe').set_name, '四强党组织');
  assert.equal(pick('member', 'soe').set_name, '四优共产党员');
  assert.equal(pick('member', 'private').set_name, '四比四争');
  assert.equal(pick('org', 'private').set_name, '四比四争（非公企业党组织）');
  assert.ok(!r.some((x) => x.sector === 'rural'), 'villages keep the campaign\'s 五个好 and 五带头');
  const all = await ok(await office.get(stdUrl));
  const siyou = all.sets.find((s) => s.code === 'hx_siyou');
  assert.equal(siyou.total_points, 100);
  assert.deepEqual(siyou.rule, { t_excellent: 85, t_qualified: 70, t_basic: 60 });
  assert.deepEqual(siyou.items.map((i) => i.indicators.length), [1, 1, 1, 1]);
  assert.ok(all.sets.some((s) => s.code === 'hx_wudaitou' && s.total_points === 100), 'the village indicators are ready to assign');
  // lower levels read, and are told they cannot edit
  const seen = await ok(await town.get(stdUrl));
  assert.equal(seen.can_edit, false);
  assert.equal(all.can_edit, true);
  assert.deepEqual(seen.rules, r);
});

test('one round, three standards: each member\'s form is the set of their branch\'s sector', async () => {
  R1 = (await ok(await office.post(`/api/v1/orgs/${rootId}/rounds`, { campaign_id: campaign.id, name: '分领域评议', ...period, questions: 'party3' }), 201)).round;
  const f = await formOf(soe.members[0], R1);
  assert.equal(f.standard, '四优共产党员');
  assert.deepEqual(f.items.map((i) => [i.title, i.points]), [['参加政治学习和组织生活', 20], ['取得岗位技能等级或技术成果', 25], ['完成岗位绩效指标', 30], ['职工群众评议满意', 25]]);
  assert.equal(f.items[0].body, '政治素质优', 'an indicator names the item it details');
  siyou1 = f.standard_set.id;
  const p = await formOf(priv.members[0], R1);
  assert.equal(p.standard, '四比四争');
  assert.equal(p.items.length, 4);
  const v = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  assert.equal(v.standard, '五带头');
  assert.equal(v.items.length, 5);
  assert.equal(v.items[0].points, undefined);
  // the levels must match the member's own form: four for 四优, five for 五带头
  expectError(await selfReview(soe.members[0], R1, '11111'), 400, 'invalid_levels', 'levels');
  await ok(await selfReview(soe.members[0], R1, '1122'), 201);
  await ok(await office.post(`/api/v1/members/${member.user.member_id}/review`, {
    round_id: R1.id, kind: 'self', levels: '11111', achievements: '完成', shortcomings: '不足', direction: '方向' }), 201);
});

test('grades come from the indicator points and the set\'s own rule; figures by set are never mixed', async () => {
  await ok(await selfReview(soe.members[1], R1, '3333'), 201);
  await ok(await selfReview(soe.members[2], R1, '3333'), 201);
  await ok(await office.post(`/api/v1/orgs/${soe.org.id}/grades`, { round_id: String(R1.id), kind: 'member' }));
  const g = (await ok(await office.get(`/api/v1/orgs/${soe.org.id}/grades?round_id=${R1.id}&kind=member`))).grades;
  const top = g.find((x) => x.target_id === soe.members[0].id || x.id === soe.members[0].id);
  assert.ok(top, JSON.stringify(g[0]));
  // 1122 on points 20/25/30/25: (20+25)·100% + (30+25)·80% = 89, not the plain mean 90; 89 ≥ 85 (四优's
  // rule) is 优秀 where the campaign's 90 would give 合格
  assert.equal(top.score, 89);
  assert.equal(top.computed, 'excellent');
  assert.equal(top.standard, '四优共产党员');
  assert.equal(top.meets_label, '达到四优共产党员');
  // the grades are what the raw records give on the round's own sets: recount agrees
  const rc = srv.cli(['recount', '--round', String(R1.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  assert.match(rc.stdout, /无差异/);
  const figs = (await ok(await office.get(`/api/v1/orgs/${rootId}/standard-figures?round_id=${R1.id}`))).sets;
  const s = figs.find((x) => x.name === '四优共产党员');
  assert.ok(s, JSON.stringify(figs));
  assert.equal(s.graded, 3);
  assert.deepEqual(s.grades.map((x) => x.count), [1, 0, 2, 0]);
  assert.equal(s.mean_score, '69.67'); // (89 + 60 + 60) / 3
  // the dashboard carries the same figures by set
  const dash = await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?round_id=${R1.id}`));
  assert.deepEqual(dash.by_standard, figs);
  const page = await office.get(`/orgs/${rootId}/dashboard?round_id=${R1.id}`);
  assert.ok(page.text.includes('等次按评议标准分别统计') && page.text.includes('四优共产党员'));
  assert.ok(!figs.some((x) => x.name === '五带头' && x.graded >= 3), 'the village grades are not in the 四优 figures');
  assert.ok(figs.every((x) => x.target === 'member' || x.target === 'org'));
  // the town office, a level below the round, sees only its own town's figures
  const townFigs = (await ok(await town.get(`/api/v1/orgs/${townId}/standard-figures?round_id=${R1.id}`))).sets;
  assert.ok(!townFigs.some((x) => x.name === '四优共产党员'));
});

test('editing a set after a round opened makes a new version; the open round keeps its version, a later round takes the new one', async () => {
  const before = await auditHead();
  const r = await ok(await office.patch(setsUrl, { set_id: siyou1, indicators: [
    { item_seq: 1, title: '参加政治学习和组织生活', points: 10 }, { item_seq: 2, title: '取得岗位技能等级', points: 30 },
    { item_seq: 3, title: '完成岗位绩效指标', points: 40 }, { item_seq: 4, title: '职工群众评议满意', points: 20 }],
    t_excellent: 88, t_qualified: 70, t_basic: 60 }));
  assert.equal(r.versioned, true);
  assert.equal(r.standard.version, 2);
  assert.notEqual(r.standard.id, siyou1);
  assert.equal(r.standard.total_points, 100);
  const head = await auditHead();
  assert.ok(head.seq > before.seq);
  assert.equal(head.action, 'standard.version');
  // the campaign now assigns version 2; the open round still forms and grades on version 1
  assert.equal((await rules()).find((x) => x.target === 'member' && x.sector === 'soe').version, 2);
  const f = await formOf(soe.members[0], R1);
  assert.equal(f.standard_set.id, siyou1);
  assert.equal(f.standard_set.version, 1);
  assert.deepEqual(f.items.map((i) => i.points), [20, 25, 30, 25]);
  await ok(await office.post(`/api/v1/orgs/${soe.org.id}/grades`, { round_id: String(R1.id), kind: 'member' }));
  const g = (await ok(await office.get(`/api/v1/orgs/${soe.org.id}/grades?round_id=${R1.id}&kind=member`))).grades;
  assert.equal(g.find((x) => x.target_id === soe.members[0].id || x.id === soe.members[0].id).score, 89);
  const rc = srv.cli(['recount', '--round', String(R1.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  assert.match(rc.stdout, /无差异/, 'recount too reads the version the round started with');
  // the old version is history: it cannot be edited again
  expectError(await office.patch(setsUrl, { set_id: siyou1, indicators: [] }), 409, 'superseded', 'set_id');
  // a later round starts with version 2
  R2 = (await ok(await office.post(`/api/v1/orgs/${rootId}/rounds`, { campaign_id: campaign.id, name: '分领域评议（第二轮）', ...period, questions: 'party3' }), 201)).round;
  const f2 = await formOf(soe.members[0], R2);
  assert.equal(f2.standard_set.version, 2);
  assert.deepEqual(f2.items.map((i) => i.points), [10, 30, 40, 20]);
  // a set no round has started with is edited in place
  const fresh = (await ok(await office.post(setsUrl, { code: 'hx_test_inplace', name: '试用标准', target: 'member',
    items: [{ title: '甲', body: '', indicators: [{ title: '甲一', points: 50 }] }, { title: '乙', indicators: [{ title: '乙一', points: 50 }] }] }), 201)).standard;
  assert.deepEqual(fresh.items.map((i) => i.indicators.map((x) => x.points)), [[50], [50]]);
  const inplace = await ok(await office.patch(setsUrl, { set_id: fresh.id, indicators: [{ item_seq: 1, title: '甲一', points: 60 }, { item_seq: 2, title: '乙一', points: 40 }] }));
  assert.equal(inplace.versioned, false);
  assert.equal(inplace.standard.id, fresh.id);
  assert.equal((await auditHead()).action, 'standard.edit');
  // a rename alone keeps the indicators and the rule
  const renamed = await ok(await office.patch(setsUrl, { set_id: fresh.id, name: '试用标准（改名）' }));
  assert.equal(renamed.standard.name, '试用标准（改名）');
  assert.deepEqual(renamed.standard.items.map((i) => i.indicators.map((x) => x.points)), [[60], [40]]);
  const ruled = await ok(await office.patch(setsUrl, { set_id: fresh.id, t_excellent: 90, t_qualified: 70, t_basic: 60 }));
  assert.deepEqual(ruled.standard.rule, { t_excellent: 90, t_qualified: 70, t_basic: 60 });
  assert.deepEqual(ruled.standard.items.map((i) => i.indicators.map((x) => x.points)), [[60], [40]]);
  // fewer points than the kept rule asks for: refused
  expectError(await office.patch(setsUrl, { set_id: fresh.id, indicators: [{ item_seq: 1, title: '甲一', points: 40 }, { item_seq: 2, title: '乙一', points: 40 }] }), 400, 'invalid_rule', 't_excellent');
  // the built-in sets are shared by every campaign: never edited here
  const wuhao = (await ok(await office.get(stdUrl))).sets.find((s) => s.code === 'wuhao');
  expectError(await office.patch(setsUrl, { set_id: wuhao.id, indicators: [] }), 409, 'builtin_set', 'set_id');
});

test('a town office and a secretary cannot change the district\'s sets and rules; nothing changes', async () => {
  const before = [await auditHead(), await rules(), await setById(siyou1)];
  const tries = [
    [town, 'PATCH', setsUrl, { set_id: siyou1, indicators: [] }],
    [town, 'POST', setsUrl, { code: 'hx_town', name: '镇标准', target: 'org', items: [{ title: 'x' }] }],
    [town, 'POST', stdUrl, { target: 'org', sector: 'rural', org_type: '', set_id: siyou1 }],
  ];
  for (const [who, method, url, body] of tries) expectError(await who.req(method, url, { body }), 403, 'forbidden');
  for (const [method, url, body] of [['PATCH', setsUrl, { set_id: siyou1, indicators: [] }], ['POST', stdUrl, { target: 'org', set_id: siyou1 }]])
    expectError(await secretary.req(method, url, { body }), 403, 'forbidden');
  assert.deepEqual([await auditHead(), await rules(), await setById(siyou1)], before);
  // the town's own campaign is the town's: there it edits (its own subtree)
  const own = (await ok(await town.post(`/api/v1/orgs/${townId}/campaigns`, { theme: '镇分领域活动', start_date: daysFromToday(-200), end_date: daysFromToday(100) }), 201)).campaign;
  await ok(await town.post(`/api/v1/campaigns/${own.id}/standard-sets`, { code: 'hx_town_own', name: '镇标准', target: 'org', items: [{ title: '甲', indicators: [{ title: '甲一', points: 10 }] }] }), 201);
  // a campaign's own set as its default for organisations: a round opened on it keeps it too
  const ownSet = (await ok(await town.get(`/api/v1/campaigns/${own.id}/sector-standards`))).sets.find((x) => x.code === 'hx_town_own');
  await ok(await town.patch(`/api/v1/campaigns/${own.id}/rules`, { org_set_id: ownSet.id }));
  const ownRound = (await ok(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: own.id, name: '镇分领域轮次', ...period }), 201)).round;
  const ownForm = async () => (await ok(await town.get(`/api/v1/orgs/${villageBranch}/review?round_id=${ownRound.id}`)));
  assert.deepEqual((await ownForm()).items.map((i) => [i.title, i.points]), [['甲一', 10]]);
  const ed = await ok(await town.patch(`/api/v1/campaigns/${own.id}/standard-sets`, { set_id: ownSet.id, indicators: [{ item_seq: 1, title: '甲二', points: 30 }] }));
  assert.equal(ed.versioned, true);
  assert.deepEqual((await ownForm()).items.map((i) => [i.title, i.points]), [['甲一', 10]], 'the open round keeps the first version');
  assert.equal((await ok(await town.get(`/api/v1/campaigns/${own.id}`))).rules.org_set_id, ed.standard.id, 'the default follows to the new version');
  // …and the district office, above it, reads it; another town's secretary does not even see it
  assert.equal((await ok(await office.get(`/api/v1/campaigns/${own.id}/sector-standards`))).sets.some((s) => s.code === 'hx_town_own'), true);
  const secretary2 = await loginAs(srv.base, 'secretary2');
  expectError(await secretary2.get(`/api/v1/campaigns/${own.id}/sector-standards`), 404, 'not_found');
  // a campaign's own sets are not in the list of every campaign's sets, nor may another campaign take them
  const shared = (await ok(await secretary2.get('/api/v1/standards'))).standards.map((x) => x.code);
  assert.ok(shared.includes('wuhao') && !shared.includes('hx_town_own') && !shared.includes('hx_siyou'), shared.join(','));
  const items = (await ok(await town.get(`/api/v1/orgs/${townId}/inspections`))).standard_items;
  assert.ok(items.length >= 5 && !items.some((x) => x.set === '四强党组织'), 'an inspection offers the shared sets\' items only');
  const townSet = (await ok(await town.get(`/api/v1/campaigns/${own.id}/sector-standards`))).sets.find((x) => x.code === 'hx_town_own');
  expectError(await office.patch(`/api/v1/campaigns/${campaign.id}/rules`, { org_set_id: townSet.id }), 400, 'invalid_set', 'org_set_id');
  expectError(await office.post(stdUrl, { target: 'org', sector: 'school', set_id: townSet.id }), 400, 'invalid_set', 'set_id');
});

test('malformed indicator bodies and points out of range are refused, naming the field, changing nothing', async () => {
  const v2 = (await rules()).find((x) => x.target === 'member' && x.sector === 'soe').set_id;
  const before = [await auditHead(), await setById(v2)];
  const ind = (over) => [{ item_seq: 1, title: '甲', points: 10 }, { item_seq: 2, title: '乙', points: 10 }, { item_seq: 3, title: '丙', points: 10 }, { item_seq: 4, title: '丁', points: 10 }].map((x, i) => (i === 0 ? { ...x, ...over } : x));
  const cases = [
    [{ set_id: v2, indicators: 'x' }, 400, 'invalid_type', 'indicators'],
    [{ set_id: v2, indicators: ['甲|10'] }, 400, 'invalid_type', 'indicators'],
    [{ set_id: v2, indicators: ind({ points: 0 }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ points: 101 }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ points: -5 }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ points: 2.5 }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ points: '十' }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ points: null }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ points: { n: 1 } }) }, 400, 'invalid_points', 'indicators[0].points'],
    [{ set_id: v2, indicators: ind({ item_seq: 5 }) }, 400, 'invalid_indicators', 'indicators[0].item_seq'],
    [{ set_id: v2, indicators: ind({ item_seq: 0 }) }, 400, 'invalid_indicators', 'indicators[0].item_seq'],
    [{ set_id: v2, indicators: ind({ title: '' }) }, 400, undefined, 'indicators[0].title'],
    [{ set_id: v2, indicators: ind({ title: '长'.repeat(61) }) }, 400, undefined, 'indicators[0].title'],
    [{ set_id: v2, indicators: ind({ item_seq: 2 }) }, 400, 'missing_indicator', 'indicators'],
    [{ set_id: v2, indicators: Array.from({ length: 13 }, (_, i) => ({ item_seq: (i % 4) + 1, title: `指标${i}`, points: 5 })) }, 400, 'invalid_indicators', 'indicators'],
    [{ set_id: v2, indicators: ind({}), t_excellent: 41, t_qualified: 30, t_basic: 20 }, 400, 'invalid_rule', 't_excellent'],
    [{ set_id: v2, indicators: ind({}), t_excellent: 35 }, 400, 'invalid_rule', 't_qualified'],
    [{ set_id: v2, indicators: ind({}), t_excellent: 30, t_qualified: 35, t_basic: 20 }, 400, 'invalid_rule', 't_qualified'],
    [{ set_id: v2, indicators: ind({}), t_excellent: 'x', t_qualified: 30, t_basic: 20 }, 400, 'invalid_rule', 't_excellent'],
    [{ set_id: 'abc', indicators: ind({}) }, 400, 'invalid_id', 'set_id'],
    [{ indicators: ind({}) }, 400, 'required', 'set_id'],
    [{ set_id: 987654321, indicators: ind({}) }, 404, 'not_found', 'set_id'],
    [{ set_id: v2, name: '', indicators: ind({}) }, 400, undefined, 'name'],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await office.patch(setsUrl, body);
    try {
      if (code) expectError(r, status, code, field);
      else { assert.equal(r.status, status, r.text); assert.equal(r.json.error.field, field, r.text); assert.match(r.json.error.message, /[\u4e00-\u9fff]/); }
    } catch (e) { e.message = `${JSON.stringify(body).slice(0, 120)}: ${e.message}`; throw e; }
  }
  // a new set: the same checks on nested indicators, and its code must be new
  expectError(await office.post(setsUrl, { code: 'hx_bad', name: '坏', target: 'org', items: [{ title: '甲', indicators: [{ title: '甲一', points: 500 }] }] }), 400, 'invalid_points', 'indicators[0].points');
  expectError(await office.post(setsUrl, { code: 'hx_bad', name: '坏', target: 'org', items: [{ title: '甲', indicators: 'x' }] }), 400, 'invalid_type', 'items');
  expectError(await office.post(setsUrl, { code: 'hx_bad', name: '坏', target: 'org', items: 'x' }), 400, 'invalid_type', 'items');
  expectError(await office.post(setsUrl, { code: 'hx_siyou', name: '重复', target: 'member', items: [{ title: '甲' }] }), 409, 'duplicate_code', 'code');
  // assignments: the sector, level, target and set are checked
  const rv = [
    [{ target: 'org', sector: 'farm', org_type: '', set_id: v2 }, 'invalid_sector', 'sector'],
    [{ target: 'org', sector: 'soe', org_type: 'cell', set_id: v2 }, 'invalid_org_type', 'org_type'],
    [{ target: 'team', sector: 'soe', set_id: v2 }, 'invalid_target', 'target'],
    [{ target: 'org', sector: 'soe', set_id: v2 }, 'invalid_set', 'set_id'], // 四优 is for members
    [{ target: 'member', sector: 'soe', set_id: 'x' }, 'invalid_set', 'set_id'],
    [{ target: 'member', sector: 'soe', set_id: 987654321 }, 'invalid_set', 'set_id'],
  ];
  for (const [body, code, field] of rv) expectError(await office.post(stdUrl, body), 400, code, field);
  assert.deepEqual([await auditHead(), await setById(v2)], before);
});

test('the office\'s pages: sets by sector, indicators with points, versions; a lower level reads without forms; text is escaped', async () => {
  await ok(await office.post(setsUrl, { code: 'hx_escape', name: '<b>四强</b>', target: 'org', items: [{ title: '<i>甲</i>', indicators: [{ title: '<script>x</script>', points: 10 }] }] }), 201);
  const page = await office.get(`/campaigns/${campaign.id}/standards`);
  assert.equal(page.status, 200);
  for (const s of ['分领域评议标准', '四优共产党员', '第 2 版', '已有新版本', '国有企业', '保存指标', 'name="_csrf"', '&lt;b&gt;四强&lt;/b&gt;', '&lt;script&gt;'])
    assert.ok(page.text.includes(s), `the page shows ${s}`);
  assert.ok(!page.text.includes('<script>x</script>') && !page.text.includes('<b>四强</b>'), 'typed text is escaped');
  const low = await town.get(`/campaigns/${campaign.id}/standards`);
  assert.equal(low.status, 200);
  assert.ok(low.text.includes('四优共产党员') && !low.text.includes('保存指标'), 'the town office reads, without the forms');
  // a form post without the CSRF token is refused
  const f = new URLSearchParams({ target: 'org', sector: 'soe', org_type: '', set_id: '0' });
  const r = await office.req('POST', `/campaigns/${campaign.id}/sector-standards`, { body: f.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(r.status, 403);
  // an SOE branch's self-review is on 四强 (its indicators and points in the API)
  const orgPage = await office.get(`/orgs/${soe.org.id}/review?round_id=${R1.id}`);
  assert.equal(orgPage.status, 200);
  assert.ok(orgPage.text.includes('自评（对照四强党组织）'), 'the page names its standard');
  const orgForm = await ok(await office.get(`/api/v1/orgs/${soe.org.id}/review?round_id=${R1.id}`));
  assert.deepEqual(orgForm.items.slice(0, 2).map((i) => [i.title, i.points]), [['党组织参与“三重一大”决策', 15], ['落实“四好”领导班子创建', 10]]);
  const figs = await office.get(`/orgs/${rootId}/standard-figures?round_id=${R1.id}`);
  assert.equal(figs.status, 200);
  assert.ok(figs.text.includes('四优共产党员') && figs.text.includes('优秀'));
});

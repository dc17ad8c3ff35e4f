// orgs.test.mjs: the organisation tree through the API: view, children, tree, create, edit,
// move with the whole subtree, deactivate / activate. Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, newIdcard, refuseInserts } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const town = await loginAs(srv.base, 'town');
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
let uniq = 0;
const uname = (p) => `${p}${++uniq}号`;

async function getOrg(id, c = office) {
  const r = await c.get(`/api/v1/orgs/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function createOrg(parent, body, c = office) {
  const r = await c.post(`/api/v1/orgs/${parent}/children`, { type: 'branch', sector: 'rural', ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.org;
}
async function addMember(org, name) {
  const r = await office.post(`/api/v1/orgs/${org}/members`, { name, idcard: newIdcard(), joined_date: '2015-07-01' });
  assert.equal(r.status, 201, r.text);
  return r.json.member;
}
/** Another committee directly under the root: the target of moves out of the town. */
async function otherCommittee() {
  const kids = (await office.get(`/api/v1/orgs/${rootId}/children`)).json.children;
  const c = kids.find((k) => k.id !== townId && k.type === 'committee');
  assert.ok(c, 'the demo root has a second committee');
  return c;
}

test('org detail, children and tree describe the same tree', async () => {
  const root = await getOrg(rootId);
  assert.equal(root.org.id, rootId);
  assert.equal(root.org.parent_id, null);
  assert.equal(root.org.type, 'committee');
  assert.equal(root.org.type_label, '党委');
  assert.deepEqual(root.ancestors, []);
  assert.equal(root.can_edit, true);

  const ch = await office.get(`/api/v1/orgs/${rootId}/children`);
  assert.equal(ch.status, 200);
  assert.deepEqual(ch.json.children.map((c) => c.id).sort(), root.children.map((c) => c.id).sort());
  assert.ok(ch.json.children.every((c) => c.parent_id === rootId && c.depth === 1 && c.active));
  // each child's member count is what its own page says about its subtree
  const t = ch.json.children.find((c) => c.id === townId);
  assert.ok(t.members > 0);
  assert.equal(t.members, (await getOrg(townId)).subtree_members);
  assert.equal(ch.json.children.reduce((s, c) => s + c.members, 0), root.subtree_members);

  const tree1 = await office.get(`/api/v1/orgs/${rootId}/tree?depth=1`);
  assert.equal(tree1.status, 200);
  assert.equal(tree1.json.tree.id, rootId);
  assert.deepEqual(tree1.json.tree.children.map((c) => c.id).sort(), root.children.map((c) => c.id).sort());
  assert.ok(tree1.json.tree.children.every((c) => c.children.length === 0), 'depth=1 stops at the children');
  assert.equal(tree1.json.count, 1 + root.children.length);

  const full = await office.get(`/api/v1/orgs/${rootId}/tree`);
  let n = 0;
  const walk = (node, depth) => {
    n++;
    assert.equal(node.depth, depth);
    for (const k of node.children) { assert.equal(k.parent_id, node.id); walk(k, depth + 1); }
  };
  walk(full.json.tree, 0);
  assert.equal(full.json.count, n);
  const townNode = full.json.tree.children.find((c) => c.id === townId);
  const townKids = (await office.get(`/api/v1/orgs/${townId}/children`)).json.children;
  assert.deepEqual(townNode.children.map((c) => c.id).sort(), townKids.map((c) => c.id).sort());

  // a branch's ancestors are the path from the root, all linkable for the office
  const branch = townKids[0];
  const b = await getOrg(branch.id);
  assert.deepEqual(b.ancestors.map((a) => a.id), [rootId, townId]);
  assert.ok(b.ancestors.every((a) => a.linkable === true));
  // the town office sees its own subtree but the root only by name, not as a link
  const bt = await getOrg(branch.id, town);
  assert.deepEqual(bt.ancestors.map((a) => [a.id, !!a.linkable]), [[rootId, false], [townId, true]]);
});

test('office creates a child org; it shows under its parent; duplicates and bad parents are refused', async () => {
  const name = uname('新建党总支');
  const before = await getOrg(townId);
  const r = await office.post(`/api/v1/orgs/${townId}/children`, { name: `  ${name} `, type: 'general_branch', sector: 'community' });
  assert.equal(r.status, 201, r.text);
  const o = r.json.org;
  assert.equal(o.name, name, 'name is trimmed');
  assert.equal(o.parent_id, townId);
  assert.equal(o.depth, before.org.depth + 1);
  assert.equal(o.type, 'general_branch');
  assert.equal(o.type_label, '党总支');
  assert.equal(o.sector_label, '社区');
  assert.equal(o.active, true);
  assert.equal(o.is_branch, false);
  const after1 = await getOrg(townId);
  assert.equal(after1.children.length, before.children.length + 1);
  assert.ok(after1.children.some((c) => c.id === o.id && c.name === name && c.members === 0 && c.children === 0));
  assert.deepEqual((await getOrg(o.id)).ancestors.map((a) => a.id), [rootId, townId]);

  // the same name under the same parent: 409, nothing created
  expectError(await office.post(`/api/v1/orgs/${townId}/children`, { name, type: 'branch', sector: 'rural' }), 409, 'duplicate_name', 'name');
  assert.equal((await getOrg(townId)).children.length, after1.children.length);
  // the same name under another parent is fine
  const twin = await createOrg(o.id, { name });
  assert.equal(twin.parent_id, o.id);
  // a 党支部 has no children
  expectError(await office.post(`/api/v1/orgs/${twin.id}/children`, { name: uname('下级'), type: 'branch', sector: 'rural' }),
    400, 'parent_is_branch', 'parent_id');
  assert.equal((await getOrg(twin.id)).children.length, 0);
});

test('PATCH org changes only the fields given', async () => {
  const o = await createOrg(townId, { name: uname('改名前'), type: 'general_branch', sector: 'rural' });
  const name = uname('改名后');
  let r = await office.patch(`/api/v1/orgs/${o.id}`, { name });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.org.name, r.json.org.type, r.json.org.sector], [name, 'general_branch', 'rural']);
  r = await office.patch(`/api/v1/orgs/${o.id}`, { sector: 'school' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.org.name, r.json.org.type, r.json.org.sector, r.json.org.sector_label], [name, 'general_branch', 'school', '学校']);
  const got = (await getOrg(o.id)).org;
  assert.deepEqual(got, r.json.org);
  assert.ok((await getOrg(townId)).children.some((c) => c.id === o.id && c.name === name));

  // a 党总支 with children cannot become a 党支部
  await createOrg(o.id, { name: uname('下级支部') });
  expectError(await office.patch(`/api/v1/orgs/${o.id}`, { type: 'branch' }), 400, 'has_children', 'type');
  assert.deepEqual((await getOrg(o.id)).org, got);
  // renaming to a sibling's name
  const sib = (await getOrg(townId)).children.find((c) => c.id !== o.id);
  expectError(await office.patch(`/api/v1/orgs/${o.id}`, { name: sib.name }), 409, 'duplicate_name', 'name');
  assert.deepEqual((await getOrg(o.id)).org, got);
});

test('moving an org takes its whole subtree and the members in it along', async () => {
  const target = await otherCommittee();
  const g = await createOrg(townId, { name: uname('搬迁党总支'), type: 'general_branch' });
  const g2 = await createOrg(g.id, { name: uname('搬迁二级党总支'), type: 'general_branch' });
  const b = await createOrg(g2.id, { name: uname('搬迁支部') });
  const m1 = await addMember(b.id, '搬迁甲');
  const m2 = await addMember(g.id, '搬迁乙');
  const townBefore = (await getOrg(townId)).subtree_members;
  const targetBefore = (await getOrg(target.id)).subtree_members;
  const targetDepth = (await getOrg(target.id)).org.depth;

  // refused first: into its own subtree, into itself, the root, no parent, into a 党支部
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: g2.id }), 400, 'move_into_self', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: g.id }), 400, 'move_into_self', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${rootId}/move`, { parent_id: townId }), 400, 'move_root');
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, {}), 400, 'invalid_parent', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: 'abc' }), 400, 'invalid_parent', 'parent_id');
  const demoBranch = (await getOrg(townId)).children.find((c) => c.type === 'branch');
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: demoBranch.id }), 400, 'parent_is_branch', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: b.id }), 400, 'move_into_self', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: 987654 }), 404, 'not_found', 'parent_id');
  // the town office may not move its org into another town
  expectError(await town.post(`/api/v1/orgs/${g.id}/move`, { parent_id: target.id }), 404, 'not_found', 'parent_id');
  assert.equal((await getOrg(g.id)).org.parent_id, townId);
  assert.equal((await getOrg(townId)).subtree_members, townBefore);

  const r = await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: target.id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.org.parent_id, target.id);
  assert.equal(r.json.org.depth, targetDepth + 1);

  const bb = await getOrg(b.id);
  assert.deepEqual(bb.ancestors.map((a) => a.id), [rootId, target.id, g.id, g2.id]);
  assert.equal(bb.org.depth, targetDepth + 3);
  assert.equal((await getOrg(g2.id)).org.depth, targetDepth + 2);
  assert.equal((await getOrg(townId)).subtree_members, townBefore - 2);
  assert.equal((await getOrg(target.id)).subtree_members, targetBefore + 2);
  assert.ok(!(await getOrg(townId)).children.some((c) => c.id === g.id));
  assert.ok((await getOrg(target.id)).children.some((c) => c.id === g.id && c.members === 2));
  const tree = (await office.get(`/api/v1/orgs/${target.id}/tree?depth=3`)).json.tree;
  const gn = tree.children.find((c) => c.id === g.id);
  assert.equal(gn.children[0].id, g2.id);
  assert.equal(gn.children[0].children[0].id, b.id);
  const listed = (await office.get(`/api/v1/orgs/${target.id}/members?subtree=1&q=${encodeURIComponent('搬迁')}`)).json;
  assert.deepEqual(listed.members.map((m) => m.id).sort(), [m1.id, m2.id].sort());
  assert.equal((await office.get(`/api/v1/members/${m1.id}`)).json.member.org_id, b.id);
  // the town office no longer reaches the moved subtree or its members
  for (const p of [`/api/v1/orgs/${g.id}`, `/api/v1/orgs/${b.id}`, `/api/v1/members/${m1.id}`, `/api/v1/members/${m2.id}`])
    expectError(await town.get(p), 404, 'not_found');
  const tl = (await town.get(`/api/v1/orgs/${townId}/members?subtree=1&q=${encodeURIComponent('搬迁')}`)).json;
  assert.equal(tl.paging.total, 0);
});

test('deactivate refuses an org with members or active children, then succeeds once it is empty', async () => {
  const g = await createOrg(townId, { name: uname('停用党总支'), type: 'general_branch' });
  const b = await createOrg(g.id, { name: uname('停用支部') });
  const m = await addMember(b.id, '停用甲');

  let e = expectError(await office.post(`/api/v1/orgs/${b.id}/deactivate`), 409, 'not_empty', 'id');
  assert.match(e.message, /1 名党员/);
  expectError(await office.post(`/api/v1/orgs/${g.id}/deactivate`), 409, 'not_empty', 'id');
  assert.equal((await getOrg(b.id)).org.active, true);
  assert.equal((await getOrg(g.id)).org.active, true);
  expectError(await office.post(`/api/v1/orgs/${rootId}/deactivate`), 409, 'not_empty');

  assert.equal((await office.post(`/api/v1/members/${m.id}/deactivate`)).status, 200);
  let r = await office.post(`/api/v1/orgs/${b.id}/deactivate`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.org.active, false);
  assert.equal((await getOrg(b.id)).org.active, false);
  assert.ok(!(await getOrg(g.id)).children.some((c) => c.id === b.id), 'inactive orgs leave the children list');
  const tree = (await office.get(`/api/v1/orgs/${townId}/tree`)).json.tree;
  assert.deepEqual(tree.children.find((c) => c.id === g.id).children, []);
  // nothing new goes into an inactive org
  expectError(await office.post(`/api/v1/orgs/${b.id}/members`, { name: '停用乙', idcard: newIdcard(), joined_date: '2015-07-01' }), 400, 'org_inactive');
  // now the parent is empty too
  r = await office.post(`/api/v1/orgs/${g.id}/deactivate`);
  assert.equal(r.status, 200, r.text);
  expectError(await office.post(`/api/v1/orgs/${g.id}/children`, { name: uname('x'), type: 'branch', sector: 'rural' }), 400, 'parent_inactive');
  const mover = await createOrg(townId, { name: uname('待移入') });
  expectError(await office.post(`/api/v1/orgs/${mover.id}/move`, { parent_id: g.id }), 400, 'parent_inactive', 'parent_id');
  assert.equal((await getOrg(mover.id)).org.parent_id, townId);
  // a child cannot come back before its parent
  expectError(await office.post(`/api/v1/orgs/${b.id}/activate`), 400, 'parent_inactive', 'id');
  assert.equal((await getOrg(b.id)).org.active, false);
  r = await office.post(`/api/v1/orgs/${g.id}/activate`);
  assert.equal(r.status, 200, r.text);
  r = await office.post(`/api/v1/orgs/${b.id}/activate`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.org.active, true);
  assert.ok((await getOrg(g.id)).children.some((c) => c.id === b.id));
});

test('the tree of a deactivated org is that org alone, not a server error', async () => {
  const b = await createOrg(townId, { name: uname('停用后看树') });
  assert.equal((await office.post(`/api/v1/orgs/${b.id}/deactivate`)).status, 200);
  const r = await office.get(`/api/v1/orgs/${b.id}/tree`);
  assert.equal(r.status, 200, `GET /api/v1/orgs/${b.id}/tree of an inactive org: ${r.status} ${r.text}`);
  assert.equal(r.json.tree.id, b.id);
  assert.deepEqual(r.json.tree.children, []);
});

test('re-activating an org does not create two active siblings with the same name', async () => {
  const name = uname('同名支部');
  const a = await createOrg(townId, { name });
  assert.equal((await office.post(`/api/v1/orgs/${a.id}/deactivate`)).status, 200);
  const b = await createOrg(townId, { name }); // allowed: the other one is inactive
  const r = await office.post(`/api/v1/orgs/${a.id}/activate`);
  const active = (await getOrg(townId)).children.filter((c) => c.name === name);
  assert.deepEqual(active.map((c) => c.id), [b.id],
    `POST /api/v1/orgs/${a.id}/activate answered ${r.status} ${r.text.slice(0, 200)}; active siblings named ${name}: ${active.length}`);
  expectError(r, 409, 'duplicate_name', 'name');
});

test('the same org created 8 times at once: exactly one 201, the rest 409 duplicate_name (8 rounds)', async () => {
  for (let round = 1; round <= 8; round++) {
    const name = uname('并发支部');
    const rs = await Promise.all(Array.from({ length: 8 }, () =>
      office.post(`/api/v1/orgs/${townId}/children`, { name, type: 'branch', sector: 'rural' })));
    const active = (await getOrg(townId)).children.filter((c) => c.name === name);
    assert.equal(active.length, 1, `round ${round}: ${active.length} active siblings named ${name}; answers ${rs.map((r) => r.status)}`);
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of rs.filter((x) => x.status !== 201)) expectError(r, 409, 'duplicate_name', 'name');
    assert.equal(rs.find((r) => r.status === 201).json.org.id, active[0].id);
  }
});

test('another constraint failing on insert is a database error, not a duplicate name; nothing is added', async () => {
  const before = (await office.get(`/api/v1/orgs/${townId}/children`)).json.children.length;
  const undo = refuseInserts(srv.db, 'org', '约束测试支部');
  try {
    const r = await office.post(`/api/v1/orgs/${townId}/children`, { name: '约束测试支部', type: 'branch', sector: 'rural' });
    expectError(r, 500, 'db_error');
    assert.doesNotMatch(r.text, /已有同名组织/);
    assert.equal((await office.get(`/api/v1/orgs/${townId}/children`)).json.children.length, before);
  } finally { undo(); }
  await createOrg(townId, { name: '约束测试支部' });
});

test('the audit chain verifies after all of this file\'s changes', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /哈希链无误/);
});

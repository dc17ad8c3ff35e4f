// members.test.mjs: members through the API: create (masked 身份证号 and phone, sex and birth
// date from the id), view, partial edit, transfer, (de)activate, the audited full view, and the
// list with search, subtree and paging. Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, newIdcard, maskIdcard, refuseInserts } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const town = await loginAs(srv.base, 'town');
const sec = await loginAs(srv.base, 'secretary');
const townId = town.user.roles[0].org_id;
const branchId = sec.user.roles[0].org_id;
let uniq = 0;

async function newBranch(parent = townId) {
  const r = await office.post(`/api/v1/orgs/${parent}/children`, { name: `党员测试支部${++uniq}`, type: 'branch', sector: 'rural' });
  assert.equal(r.status, 201, r.text);
  return r.json.org;
}
async function getMember(id, c = office) {
  const r = await c.get(`/api/v1/members/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.member;
}
async function count(org, extra = '') {
  const r = await office.get(`/api/v1/orgs/${org}/members?per_page=1${extra}`);
  assert.equal(r.status, 200, r.text);
  return r.json.paging.total;
}
async function audit(org, pred) {
  const r = await office.get(`/api/v1/orgs/${org}/audit`);
  assert.equal(r.status, 200, r.text);
  return r.json.records.filter(pred);
}

test('a secretary adds a member: id and phone come back masked, sex and birth date derive from the id', async () => {
  const id = newIdcard('19880512', true);
  const before = await count(branchId);
  const r = await sec.post(`/api/v1/orgs/${branchId}/members`, {
    name: ' 林晓红 ', idcard: id, phone: '138-0013-8000', joined_date: '2012年7月1日', full_date: '2013-07-01',
    ethnicity: '汉族', education: '本科', post: '村委委员', duties: '负责妇女工作',
  });
  assert.equal(r.status, 201, r.text);
  const m = r.json.member;
  assert.equal(m.name, '林晓红');
  assert.equal(m.idcard, maskIdcard(id));
  assert.match(m.idcard, /^\d{6}\*{8}\d{3}[\dX]$/);
  assert.equal(m.phone, '138****8000');
  assert.equal(m.sex, '女');
  // only the birth year leaves the encrypted 身份证号: a full date beside the mask would give it away
  assert.equal(m.birth_year, 1988);
  assert.equal(m.birth_date, undefined);
  assert.ok(!r.text.includes('19880512') && !r.text.includes('1988-05-12'), 'no full birth date beside the mask');
  assert.equal(m.joined_date, '2012-07-01', 'Chinese date normalised');
  assert.equal(m.status, 'full');
  assert.equal(m.status_label, '正式党员');
  assert.equal(m.org_id, branchId);
  assert.equal(m.active, true);
  assert.equal(m.version, 1);
  assert.ok(!r.text.includes(id) && !r.text.includes('13800138000'), 'no full id or phone in the answer');

  const g = await getMember(m.id, sec);
  assert.deepEqual(g, m);
  const page = await sec.get(`/api/v1/orgs/${branchId}`);
  assert.equal(page.json.can_manage, true);
  assert.equal(await count(branchId), before + 1);

  // a male id: 男, and a 预备党员 without 转正时间
  const r2 = await sec.post(`/api/v1/orgs/${branchId}/members`, { name: '林大山', idcard: newIdcard('19700101'), joined_date: '2024-03-01', status: '预备党员' });
  assert.equal(r2.status, 201, r2.text);
  assert.deepEqual([r2.json.member.sex, r2.json.member.birth_year, r2.json.member.status, r2.json.member.probationary], ['男', 1970, 'probationary', true]);

  // the same person twice: 409, the message does not show the full id
  const dup = expectError(await sec.post(`/api/v1/orgs/${branchId}/members`, { name: '林晓红', idcard: id, joined_date: '2012-07-01' }),
    409, 'duplicate_member', 'idcard');
  assert.ok(!dup.message.includes(id));
  assert.equal(await count(branchId), before + 2);
});

test('member data that contradicts the id, or breaks a rule, is refused and nothing is added', async () => {
  const b = await newBranch();
  const id = newIdcard('19900101'); // male
  const cases = [
    [{ name: '甲', idcard: id, joined_date: '2015-07-01', sex: '女' }, 'sex_mismatch', 'sex'],
    [{ name: '甲', idcard: id, joined_date: '2015-07-01', birth_date: '1990-01-02' }, 'birth_date_mismatch', 'birth_date'],
    [{ name: '甲', idcard: id, joined_date: '2005-07-01' }, 'joined_too_young', 'joined_date'],
    [{ name: '甲', idcard: id, joined_date: '2015-07-01', full_date: '2015-01-01' }, 'full_before_joined', 'full_date'],
    [{ name: '甲', idcard: id, joined_date: '2015-07-01', full_date: '2016-07-01', status: '预备党员' }, 'full_date_probationary', 'full_date'],
    [{ name: '甲', idcard: id, joined_date: '2015-07-01', phone: '12345' }, 'invalid_phone', 'phone'],
    [{ name: '甲', idcard: id.slice(0, 17) + (id[17] === '0' ? '1' : '0'), joined_date: '2015-07-01' }, 'invalid_idcard', 'idcard'],
    [{ name: '甲', idcard: '4.40106E+17', joined_date: '2015-07-01' }, 'idcard_excel_number', 'idcard'],
    [{ name: '甲', idcard: id, joined_date: '2099-07-01' }, 'date_in_future', 'joined_date'],
    [{ name: '甲', idcard: id, joined_date: '2015-07-01', status: '团员' }, 'invalid_status', 'status'],
  ];
  for (const [body, code, field] of cases) {
    const e = expectError(await office.post(`/api/v1/orgs/${b.id}/members`, body), 400, code, field);
    assert.ok(!e.message.includes(id), e.message);
    // nor its birth date, nor the 18th birthday: with the mask and the birth year they give the number back
    for (const part of ['1990-01-01', '2008-01-01', '19900101']) assert.ok(!e.message.includes(part), e.message);
  }
  assert.equal(await count(b.id, '&inactive=1'), 0);
});

test('a failed edit of a stored member names no part of the 身份证号 beyond the mask, in the API or on the form', async () => {
  const id = newIdcard('19880412');
  const m = (await office.post(`/api/v1/orgs/${branchId}/members`, { name: '隐私测', idcard: id, joined_date: '2012-07-01' })).json.member;
  for (const [body, code, field] of [[{ birth_date: '1988-04-13' }, 'birth_date_mismatch', 'birth_date'],
    [{ joined_date: '2005-03-01' }, 'joined_too_young', 'joined_date']]) {
    const e = expectError(await office.patch(`/api/v1/members/${m.id}`, body), 400, code, field);
    for (const part of ['1988-04-12', '2006-04-12', '04-12', '0412']) assert.ok(!e.message.includes(part), e.message);
  }
  const form = new URLSearchParams({ _csrf: office.csrf, name: '隐私测', joined_date: '2005-03-01', sex: '男' });
  const page = await office.req('POST', `/members/${m.id}/edit`, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(page.status, 400, page.text.slice(0, 300));
  assert.match(page.text, /早于本人年满18周岁/);
  for (const part of ['1988-04-12', '2006-04-12', '04-12']) assert.ok(!page.text.includes(part), `the edit form shows ${part}`);
});

test('PATCH changes only the fields sent; a new id re-derives sex and birth date', async () => {
  const id = newIdcard('19750606');
  const m = (await office.post(`/api/v1/orgs/${branchId}/members`, { name: '周建国', idcard: id, phone: '13912345678', joined_date: '2000-07-01', post: '会计' })).json.member;
  let r = await sec.patch(`/api/v1/members/${m.id}`, { post: '出纳' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.member, { ...m, post: '出纳', version: 2 });

  // change of id: sex and birth date follow it; the phone stays
  const id2 = newIdcard('19760707', true);
  r = await sec.patch(`/api/v1/members/${m.id}`, { idcard: id2 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.member.idcard, r.json.member.sex, r.json.member.birth_year, r.json.member.phone, r.json.member.post],
    [maskIdcard(id2), '女', 1976, '139****5678', '出纳']);
  const rev = await sec.post(`/api/v1/members/${m.id}/reveal`);
  assert.deepEqual(rev.json.full, { idcard: id2, phone: '13912345678' });

  // refused edits change nothing
  const now = await getMember(m.id);
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { sex: '男' }), 400, 'sex_mismatch', 'sex');
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { idcard: '' }), 400, 'required', 'idcard');
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { name: '   ' }), 400, 'required', 'name');
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { joined_date: '2023-02-30' }), 400, 'invalid_date', 'joined_date');
  const other = (await office.get(`/api/v1/orgs/${branchId}/members?per_page=2`)).json.members.find((x) => x.id !== m.id);
  const otherFull = (await office.post(`/api/v1/members/${other.id}/reveal`)).json.full.idcard;
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { idcard: otherFull }), 409, 'duplicate_member', 'idcard');
  assert.deepEqual(await getMember(m.id), now);

  // the audit trail of the edits holds masked values only
  const recs = await audit(townId, (a) => a.entity === 'member' && a.entity_id === m.id && a.action === 'update');
  assert.equal(recs.length, 2);
  for (const a of recs) for (const s of [id, id2, '13912345678']) assert.ok(!a.before.includes(s) && !a.after.includes(s), a.after);
  assert.ok(recs.some((a) => a.after.includes(maskIdcard(id2))));
});

test('a transfer via org_id moves the member; the target must be in the editor\'s scope', async () => {
  const dest = await newBranch();
  const m = (await office.post(`/api/v1/orgs/${branchId}/members`, { name: '转移人', idcard: newIdcard('19800808'), joined_date: '2005-07-01' })).json.member;
  const [srcBefore, dstBefore] = [await count(branchId), await count(dest.id)];

  // the secretary manages only the branch: the other branch of the same town looks missing
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { org_id: dest.id }), 404, 'not_found', 'org_id');
  expectError(await sec.patch(`/api/v1/members/${m.id}`, { org_id: 'abc' }), 400, 'invalid_org', 'org_id');
  expectError(await town.patch(`/api/v1/members/${m.id}`, { org_id: 9876543 }), 404, 'not_found', 'org_id');
  const closed = await newBranch();
  assert.equal((await office.post(`/api/v1/orgs/${closed.id}/deactivate`)).status, 200);
  expectError(await town.patch(`/api/v1/members/${m.id}`, { org_id: closed.id }), 400, 'org_inactive', 'org_id');
  assert.equal((await getMember(m.id)).org_id, branchId);

  const r = await town.patch(`/api/v1/members/${m.id}`, { org_id: dest.id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.member.org_id, dest.id);
  assert.equal(r.json.member.org_name, dest.name);
  assert.equal(r.json.member.name, '转移人');
  assert.equal(await count(branchId), srcBefore - 1);
  assert.equal(await count(dest.id), dstBefore + 1);
  assert.ok((await office.get(`/api/v1/orgs/${dest.id}/members`)).json.members.some((x) => x.id === m.id));
  // now out of the secretary's reach
  expectError(await sec.get(`/api/v1/members/${m.id}`), 404, 'not_found');
  const recs = await audit(townId, (a) => a.entity === 'member' && a.entity_id === m.id && a.action === 'transfer');
  assert.equal(recs.length, 1);
  assert.equal(recs[0].actor, 'town');
});

test('deactivate hides a member from lists and counts; activate brings it back', async () => {
  const m = (await sec.post(`/api/v1/orgs/${branchId}/members`, { name: '停用测试人', idcard: newIdcard('19810909'), joined_date: '2006-07-01' })).json.member;
  const orgBefore = (await office.get(`/api/v1/orgs/${townId}`)).json.subtree_members;
  const active = await count(branchId);
  let r = await sec.post(`/api/v1/members/${m.id}/deactivate`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.member.active, false);
  assert.equal((await getMember(m.id)).active, false);
  assert.equal(await count(branchId), active - 1);
  assert.equal((await office.get(`/api/v1/orgs/${townId}`)).json.subtree_members, orgBefore - 1);
  const q = `&q=${encodeURIComponent('停用测试人')}`;
  assert.equal(await count(branchId, q), 0);
  assert.equal(await count(branchId, q + '&inactive=1'), 1);
  r = await sec.post(`/api/v1/members/${m.id}/activate`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.member.active, true);
  assert.equal(await count(branchId), active);
  assert.equal(await count(branchId, q), 1);
});

test('reveal returns the full id and phone, and the view is recorded in the audit log', async () => {
  const id = newIdcard('19820303');
  const m = (await sec.post(`/api/v1/orgs/${branchId}/members`, { name: '查看人', idcard: id, phone: '0371-68888888', joined_date: '2007-07-01' })).json.member;
  assert.equal(m.phone, '0371-******88');
  const before = await audit(townId, (a) => a.action === 'reveal' && a.entity_id === m.id);
  assert.equal(before.length, 0);
  const r = await sec.post(`/api/v1/members/${m.id}/reveal`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.full.idcard, id);
  assert.equal(r.json.full.phone, '0371-68888888');
  assert.equal(r.json.member.idcard, maskIdcard(id));
  const recs = await audit(townId, (a) => a.action === 'reveal' && a.entity_id === m.id);
  assert.equal(recs.length, 1);
  assert.equal(recs[0].entity, 'member');
  assert.equal(recs[0].actor, 'secretary');
  assert.equal(recs[0].result, 'ok');
  assert.ok(!JSON.stringify(recs[0]).includes(id));
  // the record is visible from the member's org upwards
  assert.equal((await audit(branchId, (a) => a.action === 'reveal' && a.entity_id === m.id)).length, 1);
  // a plain view stays masked and is not a reveal
  assert.ok(!(await sec.get(`/api/v1/members/${m.id}`)).text.includes(id));
  assert.equal((await audit(townId, (a) => a.action === 'reveal' && a.entity_id === m.id)).length, 1);
});

test('a photo (PNG or JPEG by content, at most 2 MB) is stored, served and audited', async () => {
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  const form = (data, name = 'photo', file = 'p.png') => { const f = new FormData(); f.append(name, new Blob([data]), file); return f; };
  const m = (await sec.post(`/api/v1/orgs/${branchId}/members`, { name: '照片人', idcard: newIdcard('19830303'), joined_date: '2008-07-01' })).json.member;
  assert.equal(m.has_photo, false);
  expectError(await sec.get(`/api/v1/members/${m.id}/photo`), 404, 'no_photo');
  // refused: no file, the wrong field, not an image (whatever the name says), too large
  expectError(await sec.post(`/api/v1/members/${m.id}/photo`, form(PNG, 'file')), 400, 'photo_required', 'photo');
  expectError(await sec.post(`/api/v1/members/${m.id}/photo`, form(Buffer.from('GIF89a not allowed'), 'photo', 'x.png')), 400, 'photo_type', 'photo');
  const big = Buffer.concat([PNG, Buffer.alloc((2 << 20) + 1 - PNG.length)]);
  expectError(await sec.post(`/api/v1/members/${m.id}/photo`, form(big)), 413, 'photo_too_large', 'photo');
  assert.deepEqual(await getMember(m.id), m);

  const r = await sec.post(`/api/v1/members/${m.id}/photo`, form(PNG));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.member.has_photo, true);
  assert.equal(r.json.member.version, m.version + 1);
  const g = await town.get(`/api/v1/members/${m.id}/photo`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'image/png');
  assert.ok(g.buf.equals(PNG));
  // a JPEG replaces it
  const JPEG = Buffer.from([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 0xFF, 0xD9]);
  assert.equal((await sec.post(`/api/v1/members/${m.id}/photo`, form(JPEG, 'photo', 'a.png'))).status, 200);
  const j = await sec.get(`/api/v1/members/${m.id}/photo`);
  assert.equal(j.headers.get('content-type'), 'image/jpeg');
  assert.ok(j.buf.equals(JPEG));
  const recs = await audit(townId, (a) => a.action === 'photo' && a.entity_id === m.id);
  assert.equal(recs.length, 2);
  // a phone's photo carries EXIF with GPS coordinates: it is stored and shown without them
  const segment = (marker, body) => Buffer.concat([Buffer.from([0xFF, marker, (body.length + 2) >> 8, (body.length + 2) & 255]), body]);
  const jfif = segment(0xE0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'));
  const exif = segment(0xE1, Buffer.from('Exif\0\0GPSLatitude=39.9042;GPSLongitude=116.4074', 'latin1'));
  const rest = Buffer.concat([segment(0xDB, Buffer.from('\0quant', 'latin1')), segment(0xDA, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9])]);
  const phone = Buffer.concat([Buffer.from([0xFF, 0xD8]), jfif, exif, rest]);
  assert.equal((await sec.post(`/api/v1/members/${m.id}/photo`, form(phone, 'photo', 'IMG_0001.jpg'))).status, 200);
  const shown = (await town.get(`/api/v1/members/${m.id}/photo`)).buf;
  assert.ok(!shown.includes('GPSLatitude'), 'no GPS in the stored photo');
  assert.ok(shown.equals(Buffer.concat([Buffer.from([0xFF, 0xD8]), jfif, rest])), 'everything else byte for byte');
});

test('the member list searches by name, covers the subtree on request, and pages', async () => {
  const g = await office.post(`/api/v1/orgs/${townId}/children`, { name: `分页党总支${++uniq}`, type: 'general_branch', sector: 'rural' });
  const parent = g.json.org;
  const child = await newBranch(parent.id);
  const names = ['欧阳分页一', '欧阳分页二', '欧阳分页三', '欧阳分页四', '欧阳分页五'];
  const ids = [];
  for (const [i, n] of names.entries()) {
    const r = await office.post(`/api/v1/orgs/${i < 2 ? parent.id : child.id}/members`, { name: n, idcard: newIdcard(`1985010${i + 1}`), joined_date: '2010-07-01' });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.member.id);
  }
  // subtree=0: only the org's own members; subtree=1: the whole subtree
  let r = await office.get(`/api/v1/orgs/${parent.id}/members`);
  assert.deepEqual(r.json.members.map((m) => m.id).sort(), ids.slice(0, 2).sort());
  assert.equal(r.json.paging.subtree, false);
  r = await office.get(`/api/v1/orgs/${parent.id}/members?subtree=1`);
  assert.deepEqual(r.json.members.map((m) => m.id).sort(), [...ids].sort());
  assert.equal(r.json.paging.total, 5);
  // search: a substring of the name, within the subtree, across the whole district
  r = await office.get(`/api/v1/orgs/${townId}/members?subtree=1&q=${encodeURIComponent('分页三')}`);
  assert.deepEqual(r.json.members.map((m) => m.name), ['欧阳分页三']);
  assert.equal(r.json.paging.q, '分页三');
  r = await office.get(`/api/v1/orgs/${townId}/members?subtree=1&q=${encodeURIComponent('欧阳分页')}`);
  assert.equal(r.json.paging.total, 5);
  r = await office.get(`/api/v1/orgs/${townId}/members?subtree=0&q=${encodeURIComponent('欧阳分页')}`);
  assert.equal(r.json.paging.total, 0);
  // LIKE wildcards are literal
  r = await office.get(`/api/v1/orgs/${townId}/members?subtree=1&q=${encodeURIComponent('欧阳%')}`);
  assert.equal(r.json.paging.total, 0);
  r = await office.get(`/api/v1/orgs/${townId}/members?subtree=1&q=_`);
  assert.equal(r.json.paging.total, 0);

  // paging: 2 per page → 3 pages covering all 5 exactly once
  const seen = [];
  for (let p = 1; p <= 3; p++) {
    r = await office.get(`/api/v1/orgs/${parent.id}/members?subtree=1&per_page=2&page=${p}`);
    assert.equal(r.status, 200);
    const pg = r.json.paging;
    assert.deepEqual([pg.page, pg.per_page, pg.total, pg.pages], [p, 2, 5, 3]);
    assert.equal(pg.prev, p > 1 ? p - 1 : undefined);
    assert.equal(pg.next, p < 3 ? p + 1 : undefined);
    assert.equal(r.json.members.length, p < 3 ? 2 : 1);
    seen.push(...r.json.members.map((m) => m.id));
  }
  assert.deepEqual([...seen].sort(), [...ids].sort());
  // a page past the last is answered as the last page (the shared pager), not an empty list
  r = await office.get(`/api/v1/orgs/${parent.id}/members?subtree=1&per_page=2&page=4`);
  assert.equal(r.json.paging.page, 3);
  assert.deepEqual(r.json.members.map((m) => m.id), seen.slice(4));
  assert.equal(r.json.paging.total, 5);
  // the org page carries the same list
  r = await office.get(`/api/v1/orgs/${parent.id}?subtree=1&per_page=2&page=2`);
  assert.equal(r.json.subtree_members, 5);
  assert.deepEqual(r.json.members.map((m) => m.id), seen.slice(2, 4));
  // every listed member is masked
  r = await office.get(`/api/v1/orgs/${townId}/members?subtree=1&per_page=500`);
  assert.ok(r.json.members.length > 5);
  assert.ok(r.json.members.every((m) => /^\d{6}\*{8}\d{3}[\dX]$/.test(m.idcard) && !/\d{7}/.test(m.phone)));
});

test('the same person added 8 times at once: exactly one 201, the rest 409, one record (4 rounds)', async () => {
  const b = await newBranch();
  for (let round = 1; round <= 4; round++) {
    const id = newIdcard(`1979090${round}`);
    const name = `并发新增${round}`;
    const rs = await Promise.all(Array.from({ length: 8 }, () =>
      office.post(`/api/v1/orgs/${b.id}/members`, { name, idcard: id, joined_date: '2004-07-01' })));
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409],
      `round ${round}:\n` + rs.map((r) => `${r.status} ${r.text.slice(0, 160)}`).join('\n'));
    for (const r of rs.filter((x) => x.status !== 201)) expectError(r, 409, 'duplicate_member', 'idcard');
    const made = rs.find((r) => r.status === 201).json.member;
    assert.deepEqual([made.name, made.idcard], [name, maskIdcard(id)]);
    assert.deepEqual(await getMember(made.id), made);
  }
  const list = (await office.get(`/api/v1/orgs/${b.id}/members?inactive=1`)).json;
  assert.equal(list.paging.total, 4);
  const creates = await audit(b.id, (a) => a.entity === 'member' && a.action === 'create');
  assert.deepEqual(creates.map((a) => a.entity_id).sort(), list.members.map((m) => m.id).sort());
});

test('another constraint failing on insert is a database error, not a duplicate 身份证号; nothing is added', async () => {
  const b = await newBranch();
  const undo = refuseInserts(srv.db, 'member', '约束测试');
  try {
    const r = await office.post(`/api/v1/orgs/${b.id}/members`, { name: '约束测试', idcard: newIdcard('19800101'), joined_date: '2004-07-01' });
    expectError(r, 500, 'db_error');
    assert.doesNotMatch(r.text, /身份证号已在党员名册中/);
    assert.equal(await count(b.id, '&inactive=1'), 0);
  } finally { undo(); }
  const again = await office.post(`/api/v1/orgs/${b.id}/members`, { name: '约束测试', idcard: newIdcard('19800101'), joined_date: '2004-07-01' });
  assert.equal(again.status, 201, again.text);
});

test('the audit chain verifies after all of this file\'s changes', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

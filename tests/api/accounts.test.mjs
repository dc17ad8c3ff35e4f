// accounts.test.mjs: accounts for everyone (issue 16). The demo gives every member an account
// waiting for activation; a secretary prints the branch's slips (激活单) and a member signs in the
// first time with the code, setting their own password; those above reset (a new code), lock and
// unlock; the account follows its member (deactivated, transferred); an office sets the policy
// (username rule, code days, automatic accounts); codes go by SMS. Written as a careless member, a
// guesser, a secretary of another branch, two clicks at once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, Client, sqlOn, newIdcard, unzip, fileForm } from '../lib.mjs';

const srv = await startServerOn({ members: 120 });
after(() => srv.stop());
const [office, secretary, secretary2, member] = await Promise.all(['office', 'secretary', 'secretary2', 'member'].map((u) => loginAs(srv.base, u)));
const branch = secretary.user.roles[0].org_id, branch2 = secretary2.user.roles[0].org_id;
const accounts = async (c, org, q = '') => (await c.get(`/api/v1/orgs/${org}/accounts${q}`)).json;
const sql = (q) => sqlOn(srv.db, q);

/** The slips of an organisation as the printed page shows them: username → code. */
async function slips(c, org, q = '') {
  const r = await c.get(`/orgs/${org}/accounts/slips${q}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const out = new Map();
  for (const m of r.text.matchAll(/data-username="([^"]+)"[\s\S]*?slip-code">([^<]+)</g)) out.set(m[1], m[2]);
  return out;
}
const activate = (body) => new Client(srv.base).post('/api/v1/activation', body);
const NEWPW = 'my-own-pass-2026';

test('the demo: every member has an account waiting for activation; the counts agree with the list', async () => {
  assert.match(srv.demo, /名党员的账号已开通，待激活/);
  const a = await accounts(secretary, branch);
  assert.equal(a.stats.without, 0);
  assert.ok(a.stats.members > 1);
  // the demo "member" login is activated (it has a password); the others wait
  assert.equal(a.stats.pending + a.stats.activated - 1 /* the secretary's own */, a.stats.members);
  const pending = await accounts(secretary, branch, '?status=pending&per_page=500');
  assert.equal(pending.paging.total, a.stats.pending);
  assert.ok(pending.accounts.every((x) => x.status === 'pending' && x.roles[0].role === 'member' && x.roles[0].org_id === branch));
  // no secret in any answer
  assert.doesNotMatch(JSON.stringify(pending), /code"|pw_hash|activation_enc/);
});

test('slips: a code per pending account of the branch, printing audited; another branch\'s secretary gets 404', async () => {
  const s = await slips(secretary, branch);
  const a = await accounts(secretary, branch);
  assert.equal(s.size, a.stats.pending);
  for (const code of s.values()) assert.match(code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  const audit = (await office.get(`/api/v1/orgs/${branch}/audit`)).json.records.find((r) => r.action === 'print_slips');
  assert.ok(audit, 'printing the slips is on record');
  assert.equal(JSON.parse(audit.after).slips, s.size);
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/accounts`), 404, 'not_found');
  assert.equal((await secretary2.get(`/orgs/${branch}/accounts/slips`)).status, 404);
  assert.equal((await member.get(`/orgs/${branch}/accounts/slips`)).status, 403);
});

test('first sign-in: a careless typing of the code works once; a weak password keeps the code; the password then signs in', async () => {
  const [username, code] = [...(await slips(secretary, branch))][0];
  // weak password: refused before anything, the code still good
  expectError(await activate({ username, code, password: 'short1' }), 400, 'weak_password', 'password');
  // lower case, spaces instead of the dash
  const typed = ' ' + code.toLowerCase().replace('-', ' ') + ' ';
  const ok = await activate({ username, code: typed, password: NEWPW });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.user.username, username);
  assert.deepEqual(ok.json.user.roles.map((r) => r.role), ['member']);
  // the code is spent
  expectError(await activate({ username, code, password: NEWPW + 'x' }), 401, 'bad_code', 'code');
  const c = new Client(srv.base);
  await c.login(username, NEWPW);
  assert.equal((await c.get('/api/v1/me')).json.user.username, username);
  // the slip is gone from the sheet
  assert.ok(!(await slips(secretary, branch)).has(username));
  // signing in with a password before activation says what to do
  const [u2] = [...(await slips(secretary, branch))][0];
  expectError(await new Client(srv.base).post('/api/v1/session', { username: u2, password: NEWPW }), 401, 'not_activated');
});

test('a guesser: wrong codes are refused alike for real and unknown names, and lock the name at the fifth', async () => {
  const [username, code] = [...(await slips(secretary, branch))][1];
  expectError(await activate({ username: 'nobody-here', code: 'ABCD-EFGH', password: NEWPW }), 401, 'bad_code', 'code');
  expectError(await activate({ username, code: 'WXYZ-2345', password: NEWPW }), 401, 'bad_code', 'code');
  expectError(await activate({ username, code: '12345678', password: NEWPW }), 400, 'invalid_code', 'code'); // 1 is not in the alphabet
  expectError(await activate({ username, code: '', password: NEWPW }), 400, 'required', 'code');
  for (let i = 0; i < 3; i++) expectError(await activate({ username, code: 'WXYZ-2345', password: NEWPW }), i < 3 ? 401 : 423, i < 3 ? 'bad_code' : 'account_locked');
  expectError(await activate({ username, code: 'WXYZ-2346', password: NEWPW }), 423, 'account_locked');
  // the right code now is locked out too (from this address), and sets nothing
  expectError(await activate({ username, code, password: NEWPW }), 423, 'account_locked');
  assert.equal(sql(`SELECT pw_hash FROM app_user WHERE username = '${username}'`), '');
  // the secretary's reset lifts the lock with a new code; the old one is void
  const id = Number(sql(`SELECT id FROM app_user WHERE username = '${username}'`));
  const r = await secretary.post(`/api/v1/accounts/${id}/reset`, {});
  assert.equal(r.status, 200, r.text);
  assert.notEqual(r.json.code, code);
  expectError(await activate({ username, code, password: NEWPW }), 401, 'bad_code');
  assert.equal((await activate({ username, code: r.json.code, password: NEWPW })).status, 200);
});

test('an expired code: 410 naming the code, and nothing set', async () => {
  const [username, code] = [...(await slips(secretary, branch))][2];
  sql(`UPDATE app_user SET activation_expires = 1000 WHERE username = '${username}'`);
  expectError(await activate({ username, code, password: NEWPW }), 410, 'code_expired', 'code');
  assert.equal(sql(`SELECT pw_hash FROM app_user WHERE username = '${username}'`), '');
  assert.ok(!(await slips(secretary, branch)).has(username), 'an expired code is not printed');
  assert.ok((await accounts(secretary, branch, '?status=expired')).accounts.some((x) => x.username === username));
});

test('two activations of one code at once: one sets the password, the other is told', async () => {
  const [username, code] = [...(await slips(secretary, branch))][3];
  const rs = await Promise.all([activate({ username, code, password: NEWPW }), activate({ username, code, password: 'other-pass-2026' })]);
  assert.equal(rs.filter((r) => r.status === 200).length, 1, rs.map((r) => r.text).join(' | '));
  const loser = rs.find((r) => r.status !== 200);
  // it read the code after the winner spent it (401), or before and lost the write (409), or was
  // not let hash at the same time as the other from this address (429, pwgate.h)
  assert.ok(['bad_code', 'already_activated', 'too_many_logins'].includes(loser.json.error.code), loser.text);
  const winner = rs.find((r) => r.status === 200) === rs[0] ? NEWPW : 'other-pass-2026';
  await new Client(srv.base).login(username, winner);
});

test('reset, lock, unlock by those above: sessions end; never one\'s own, never another branch\'s, never a member', async () => {
  const mid = member.user.id;
  // a member cannot manage accounts at all; another branch's secretary sees no such account
  expectError(await member.post(`/api/v1/accounts/${mid}/lock`, {}), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/accounts/${mid}/lock`, {}), 404, 'not_found');
  // a secretary cannot lock her own account nor the office's
  expectError(await secretary.post(`/api/v1/accounts/${secretary.user.id}/lock`, {}), 404, 'not_found');
  expectError(await secretary.post(`/api/v1/accounts/${office.user.id}/reset`, {}), 404, 'not_found');
  const m = await loginAs(srv.base, 'member');
  assert.equal((await secretary.post(`/api/v1/accounts/${mid}/lock`, {})).status, 200);
  expectError(await m.get('/api/v1/me'), 401, 'unauthenticated');
  expectError(await new Client(srv.base).post('/api/v1/session', { username: 'member', password: 'cxzy-demo-2026' }), 401, 'bad_credentials');
  assert.ok((await accounts(secretary, branch, '?status=locked')).accounts.some((x) => x.username === 'member'));
  assert.equal((await secretary.post(`/api/v1/accounts/${mid}/unlock`, {})).status, 200);
  await loginAs(srv.base, 'member');
  const actions = (await office.get(`/api/v1/orgs/${branch}/audit?per_page=50`)).json.records.filter((r) => r.entity === 'user').map((r) => r.action);
  assert.ok(actions.includes('lock') && actions.includes('unlock') && actions.includes('reset'), actions.join());
});

test('the account follows its member: off the roll, no sign-in; back, sign-in; transferred, the grant moves', async () => {
  const [username, code] = [...(await slips(secretary, branch))][4];
  assert.equal((await activate({ username, code, password: NEWPW })).status, 200);
  const uid = Number(sql(`SELECT id FROM app_user WHERE username = '${username}'`));
  const memberId = Number(sql(`SELECT member_id FROM app_user WHERE id = ${uid}`));
  const c = new Client(srv.base);
  await c.login(username, NEWPW);
  assert.equal((await secretary.post(`/api/v1/members/${memberId}/deactivate`, {})).status, 200);
  expectError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  expectError(await new Client(srv.base).post('/api/v1/session', { username, password: NEWPW }), 401, 'bad_credentials');
  assert.ok((await accounts(secretary, branch, '?status=inactive')).accounts.some((x) => x.username === username));
  assert.equal((await secretary.post(`/api/v1/members/${memberId}/activate`, {})).status, 200);
  await c.login(username, NEWPW);
  // transferred by the office to another branch: the member role goes with the member
  const r = await office.patch(`/api/v1/members/${memberId}`, { org_id: branch2 });
  assert.equal(r.status, 200, r.text);
  await c.login(username, NEWPW);
  assert.deepEqual(c.user.roles.map((g) => [g.role, g.org_id]), [['member', branch2]]);
  assert.ok((await accounts(secretary2, branch2)).accounts.length >= 0);
  assert.ok((await accounts(secretary2, branch2, `?q=${username}`)).accounts.some((x) => x.username === username));
  assert.ok(!(await accounts(secretary, branch, `?q=${username}`)).accounts.some((x) => x.username === username));
});

const rec = (name, phone = '') => ({ name, sex: '女', ethnicity: '汉族', idcard: newIdcard('19850202', true), phone, joined_date: '2010-07-01',
  full_date: '2011-07-01', education: '大学', post: '村民', status: 'full' });

test('bulk for new members: one action, once; two at once make one account each; the policy: phone names, automatic accounts', async () => {
  const m1 = (await secretary.post(`/api/v1/orgs/${branch}/members`, rec('新党员甲'))).json.member;
  const m2 = (await secretary.post(`/api/v1/orgs/${branch}/members`, rec('新党员乙', '13912345678'))).json.member;
  assert.equal((await accounts(secretary, branch)).stats.without, 2);
  // a secretary cannot set the policy; bad values are refused naming the field and change nothing
  expectError(await secretary.patch(`/api/v1/orgs/${branch}/account-policy`, { username_rule: 'phone' }), 403, 'forbidden');
  expectError(await office.patch(`/api/v1/orgs/${branch}/account-policy`, { prefix: 'DY1' }), 400, 'invalid_prefix', 'prefix');
  expectError(await office.patch(`/api/v1/orgs/${branch}/account-policy`, { code_days: 0 }), 400, 'invalid_code_days', 'code_days');
  expectError(await office.patch(`/api/v1/orgs/${branch}/account-policy`, { username_rule: 'pinyin' }), 400, 'invalid_username_rule', 'username_rule');
  assert.equal((await accounts(secretary, branch)).policy.from_org_id, 0);
  const p = await office.patch(`/api/v1/orgs/${branch}/account-policy`, { username_rule: 'phone', prefix: 'xh', code_days: 30 });
  assert.equal(p.status, 200, p.text);
  // two clicks at once
  const rs = await Promise.all([1, 2].map(() => secretary.post(`/api/v1/orgs/${branch}/accounts/bulk`, {})));
  assert.ok(rs.every((r) => r.status === 200), rs.map((r) => r.text).join());
  assert.equal(rs.reduce((n, r) => n + r.json.made, 0), 2);
  assert.equal(Number(sql(`SELECT count(*) FROM app_user WHERE member_id IN (${m1.id}, ${m2.id})`)), 2);
  assert.equal(sql(`SELECT username FROM app_user WHERE member_id = ${m2.id}`), '13912345678');
  assert.equal(sql(`SELECT username FROM app_user WHERE member_id = ${m1.id}`), `xh${String(m1.id).padStart(6, '0')}`);
  assert.equal((await secretary.post(`/api/v1/orgs/${branch}/accounts/bulk`, {})).json.made, 0);
  // the bulk runs' audit records (one per account, chained in one run each) verify
  const v = srv.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  // automatic accounts for members added later
  assert.equal((await office.patch(`/api/v1/orgs/${branch}/account-policy`, { auto_create: true })).status, 200);
  const m3 = (await secretary.post(`/api/v1/orgs/${branch}/members`, rec('新党员丙'))).json.member;
  assert.equal(Number(sql(`SELECT count(*) FROM app_user WHERE member_id = ${m3.id} AND pw_hash = ''`)), 1);
  assert.equal((await accounts(secretary, branch)).stats.without, 0);
});

test('automatic accounts through a roster import: every imported member gets one in the same write; a refused file makes none', async () => {
  // (the branch's policy was set to automatic accounts by the test above)
  const ids = [newIdcard('19760101'), newIdcard('19770202', true)];
  const csv = '\uFEFF姓名,身份证号,联系电话,入党时间\r\n' + `导入甲,${ids[0]},13700002222,2005-07-01\r\n` + `导入乙,${ids[1]},,2006-07-01\r\n`;
  const usersBefore = Number(sql('SELECT count(*) FROM app_user'));
  // a file with one bad row is refused whole: no member, no account
  const bad = csv + '导入丙,110101199001011234,,2006-07-01\r\n';
  const r0 = await secretary.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(bad, '名册.csv') });
  assert.notEqual(r0.status, 200, r0.text.slice(0, 200));
  assert.equal(Number(sql('SELECT count(*) FROM app_user')), usersBefore);
  const r = await secretary.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(csv, '名册.csv') });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(Number(sql('SELECT count(*) FROM app_user')), usersBefore + 2);
  assert.equal(sql(`SELECT count(*) FROM app_user u JOIN member m ON m.id = u.member_id WHERE m.name IN ('导入甲', '导入乙') AND u.pw_hash = ''`), '2');
  // the phone rule (set above) names the one with a mobile number by it
  assert.equal(sql(`SELECT u.username FROM app_user u JOIN member m ON m.id = u.member_id WHERE m.name = '导入甲'`), '13700002222');
  assert.equal((await accounts(secretary, branch)).stats.without, 0);
  const v = srv.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('staff accounts by role: an office makes a secretary; a secretary only members; the code is answered once', async () => {
  expectError(await secretary.post(`/api/v1/orgs/${branch}/accounts`, { role: 'secretary', username: 'sec-new', display_name: '新书记' }), 403, 'forbidden', 'role');
  expectError(await office.post(`/api/v1/orgs/${branch}/accounts`, { role: 'boss', username: 'sec-new', display_name: '新书记' }), 400, 'invalid_role', 'role');
  expectError(await office.post(`/api/v1/orgs/${branch}/accounts`, { role: 'secretary', username: 'a b', display_name: '新书记' }), 400, 'invalid_username', 'username');
  expectError(await office.post(`/api/v1/orgs/${branch}/accounts`, { role: 'secretary', username: 'member', display_name: '重名' }), 409, 'duplicate_username', 'username');
  const r = await office.post(`/api/v1/orgs/${branch}/accounts`, { role: 'secretary', username: 'sec-new', display_name: '新书记' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.code, /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  const ok = await activate({ username: 'sec-new', code: r.json.code, password: NEWPW });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.user.roles.map((g) => [g.role, g.org_id]), [['secretary', branch]]);
  // a member account for a member who has one: 409 naming the member
  const mid = Number(sql(`SELECT member_id FROM app_user WHERE username = 'member'`));
  expectError(await secretary.post(`/api/v1/orgs/${branch}/accounts`, { role: 'member', username: 'dup-m', display_name: '重复', member_id: mid }), 409, 'member_has_account', 'member_id');
});

test('the export lists accounts without a secret: no code, no hash', async () => {
  const codes = [...(await slips(secretary, branch)).values()].map((c) => c.replace('-', ''));
  const r = await secretary.get(`/api/v1/orgs/${branch}/accounts?format=xlsx`);
  assert.equal(r.status, 200);
  const text = Object.values(unzip(r.buf)).map((b) => b.toString('utf8')).join('\n');
  assert.match(text, /待激活/);
  for (const c of codes) assert.ok(!text.includes(c) && !text.includes(c.slice(0, 4) + '-' + c.slice(4)), 'no code in the export');
  assert.doesNotMatch(text, /argon2/);
});

test('codes by SMS: members with a phone get one, once a day; every message on record with the number masked', async () => {
  const r = await secretary.post(`/api/v1/orgs/${branch}/accounts/sms`, {});
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.sent > 0, r.text);
  const logged = Number(sql(`SELECT count(*) FROM message_log WHERE kind = 'activation' AND result = 'sent'`));
  assert.equal(logged, r.json.sent);
  assert.match(sql(`SELECT phone_mask FROM message_log LIMIT 1`), /^\d{3}\*{4}\d{4}$/);
  const again = await secretary.post(`/api/v1/orgs/${branch}/accounts/sms`, {});
  assert.equal(again.json.sent, 0);
  assert.equal(again.json.recent, r.json.sent);
  assert.match(srv.log(), /激活码 [2-9A-Z]{4}-[2-9A-Z]{4}/);
});

// cluster.test.mjs: two `cxzy serve` instances on one database behind nginx (tests/lib.mjs
// startCluster; on SQLite two servers on one file, on PostgreSQL as scripts/cluster.sh runs them)
// answer as one server. The requests go to each instance directly, half to each: the per-address
// ballot limit and the SMS-code limits hold across instances; the same device or phone rating
// the same window through both at the same time is counted once; a session made on one instance
// works on the other; and instance A killed with SIGKILL while ballots stream to both loses no
// acknowledged ballot, while B goes on serving, also through nginx. On PostgreSQL: the ballot
// writers' own connections killed on the server (pg_terminate_backend) while ballots stream lose no
// acknowledged ballot, and the writers connect again by themselves.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startCluster, Client, loginAs, expectError, smsCode, sqlOn, BACKEND } from '../lib.mjs';

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

/** A cluster with its own demo district and an open round over it. */
async function district(args) {
  const c = await startCluster({ args });
  const [A, B] = c.instances;
  const office = await loginAs(A.base, 'office');
  const secretary = await loginAs(B.base, 'secretary');
  const root = office.user.roles[0].org_id;
  const camp = (await ok(await office.get(`/api/v1/orgs/${root}/campaigns`))).campaigns[0];
  const round = (await ok(await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年',
    start_date: camp.start_date, end_date: camp.end_date, questions: 'party3' }), 201)).round;
  const branch = secretary.user.roles[0].org_id;
  const d = {
    c, A, B, office, secretary, root, round, branch,
    anonA: new Client(A.base), anonB: new Client(B.base),
    /** A device token issued by the instance at base. */
    device: async (base) => (await ok(await new Client(base).get(`/api/v1/public/rating?target_kind=org&target_id=${branch}`))).device,
    /** A new service window of the branch (its ballots are this test's alone). */
    window: async (name) => (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name }), 201)).window,
    result: async (kind, id) => (await ok(await secretary.get(`/api/v1/${kind}s/${id}/ratings?round_id=${round.id}`))).result,
  };
  return d;
}

// Limits: six ballots and four SMS codes an hour per address; bursts off (only the limits under test).
const L = await district(['--ballot-limit', '6', '--sms-limit', '4', '--burst-target', '0', '--burst-net', '0']);
// Everything else: limits out of the way.
const W = await district(['--ballot-limit', '100000', '--sms-limit', '100000', '--burst-target', '0', '--burst-net', '0']);
after(() => Promise.all([L.c.stop(), W.c.stop()]));

test('the per-address ballot limit holds across instances: six in all, half to each, then 429 from both', async () => {
  const w = await L.window('限额测试窗口');
  const cast = async (anon, base) => anon.post('/api/v1/public/ballots',
    { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111', device: await L.device(base) });
  const got = [];
  for (let i = 0; i < 6; i++) got.push((await (i % 2 ? cast(L.anonB, L.B.base) : cast(L.anonA, L.A.base))).status);
  assert.deepEqual(got, Array(6).fill(201), 'three on each instance');
  expectError(await cast(L.anonA, L.A.base), 429, 'rate_limited');
  expectError(await cast(L.anonB, L.B.base), 429, 'rate_limited');
  const res = await L.result('window', w.id);
  assert.equal(res.unverified, 6);
});

test('the SMS-code limits hold across instances: one a minute per phone, four an hour per address', async () => {
  const post = (anon, phone) => anon.post('/api/v1/public/sms-codes', { phone });
  await ok(await post(L.anonA, '13700000001'), 202);
  // the same phone at once on the other instance: its minute is not over
  expectError(await post(L.anonB, '13700000001'), 429, 'rate_limited', 'phone');
  expectError(await post(L.anonA, '13700000001'), 429, 'rate_limited', 'phone');
  await ok(await post(L.anonB, '13700000002'), 202);
  await ok(await post(L.anonA, '13700000003'), 202);
  await ok(await post(L.anonB, '13700000004'), 202);
  // four codes from this address in the hour, two through each instance: the fifth from either is refused
  expectError(await post(L.anonA, '13700000005'), 429, 'rate_limited', 'phone');
  expectError(await post(L.anonB, '13700000006'), 429, 'rate_limited', 'phone');
  // the codes were sent by whichever instance took the request; the log holds both
  assert.match(await smsCode(L.c, '13700000001'), /^\d{6}$/);
  assert.ok(L.A.log().includes('137****0001') && L.B.log().includes('137****0002'));
});

test('one rater once: the same device through both instances at the same time is counted once', async () => {
  const w = await W.window('同时评价窗口');
  const dev = await W.device(W.A.base);
  const body = { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111', device: dev };
  const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? W.anonB : W.anonA).post('/api/v1/public/ballots', body)));
  assert.deepEqual(tries.map((r) => r.status).sort(), [201, ...Array(7).fill(409)], tries.map((r) => r.text).join('\n'));
  for (const r of tries.filter((x) => x.status === 409)) expectError(r, 409, 'duplicate_ballot');
  const res = await W.result('window', w.id);
  assert.deepEqual([res.unverified, res.invalid], [1, 7]);
});

test('one rater once: the same phone through both instances at the same time is counted once', async () => {
  const w = await W.window('同一手机窗口');
  const phone = '13700000101';
  await ok(await W.anonA.post('/api/v1/public/sms-codes', { phone }), 202);
  const code = await smsCode(W.c, phone);
  // two devices, one from each instance; the verified ballot with the phone's code sent to both at once
  const [d1, d2] = [await W.device(W.A.base), await W.device(W.B.base)];
  const body = (device) => ({ target_kind: 'window', target_id: w.id, channel: 'web', answers: '113111', reason: '窗口办事拖拉', phone, code, device });
  const [a, b] = await Promise.all([W.anonA.post('/api/v1/public/ballots', body(d1)), W.anonB.post('/api/v1/public/ballots', body(d2))]);
  const won = [a, b].filter((r) => r.status === 201);
  assert.equal(won.length, 1, `${a.status} ${a.text} / ${b.status} ${b.text}`);
  assert.equal(won[0].json.ballot.counted, true);
  const lost = a.status === 201 ? b : a;
  // the loser finds the code used (400 code_expired) or the phone's ballot there (409): either way not counted
  assert.ok([400, 409].includes(lost.status), lost.text);
  const res = await W.result('window', w.id);
  assert.equal(res.valid, 1);
  assert.equal(res.questions[2].unsatisfied, 1);
});

test('a session made on instance A works on instance B, and a logout on B ends it on A', async () => {
  const onA = await loginAs(W.A.base, 'secretary');
  const onB = new Client(W.B.base);
  onB.cookies = new Map(onA.cookies);
  onB.csrf = onA.csrf;
  const me = await ok(await onB.get('/api/v1/me'));
  assert.equal(me.user.username, 'secretary');
  // a write with the CSRF token issued by A
  const w = (await ok(await onB.post(`/api/v1/orgs/${W.branch}/windows`, { name: '跨实例会话窗口' }), 201)).window;
  assert.equal((await ok(await onA.get(`/api/v1/windows/${w.id}`))).window.name, '跨实例会话窗口');
  // the CSRF token is still checked on B
  const forged = new Client(W.B.base);
  forged.cookies = new Map(onA.cookies);
  forged.csrf = 'x'.repeat(onA.csrf.length);
  assert.equal((await forged.post(`/api/v1/orgs/${W.branch}/windows`, { name: '伪造' })).status, 403);
  assert.ok((await onB.del('/api/v1/session')).status < 300);
  assert.equal((await onA.get('/api/v1/me')).status, 401);
});

test('who changed something sees it at once through the other instance: a pledge approved on A, the card read on B right after (twenty rounds)', async () => {
  // B caches the card and trusts it for a second; on PostgreSQL it learns of A's commit only when
  // the notification arrives, after A has answered. The change leaves the client a cookie
  // (cxzy_rw) that makes its next reads skip that trust.
  const member = await loginAs(W.A.base, 'member');
  const secretary = await loginAs(W.A.base, 'secretary');
  const card = `/p/card/${member.user.member_id}`;
  const onB = new Client(W.B.base);
  for (let i = 0; i < 20; i++) {
    assert.equal((await new Client(W.B.base).get(card)).status, 200); // B caches the card as it is
    const title = `跨实例即时可见的承诺 ${process.pid}-${i}`;
    const p = (await ok(await member.post('/api/v1/pledges', { area: '服务群众', title, content: '每月为社区老人义务理发一次。',
      measures: '每月第一个周六上门。', responsible: '本人', due_date: '2099-12-31' }), 201)).pledge;
    await ok(await member.post(`/api/v1/pledges/${p.id}/submit`));
    await ok(await secretary.post(`/api/v1/pledges/${p.id}/approve`));
    onB.cookies = new Map(secretary.cookies); // the same browser, its next request sent to B
    const seen = await onB.get(card);
    assert.equal(seen.status, 200);
    assert.ok(seen.text.includes(title), `round ${i}: B served the card from before the approval`);
  }
});

if (BACKEND === 'pg') {
  test('the ballot writers\' connections killed on the server while ballots stream: every acknowledged ballot is stored, the writers reconnect', async () => {
    const w = await W.window('写入连接中断窗口');
    const writers = () => sqlOn(W.c.db, "SELECT pid FROM pg_stat_activity WHERE application_name = 'cxzy serve ballot writer' AND datname = current_database() ORDER BY pid")
      .split('\n').filter(Boolean);
    const before = writers();
    assert.equal(before.length, 2, `one writer connection per instance: ${before}`);
    const devices = { [W.A.base]: [], [W.B.base]: [] };
    for (const base of [W.A.base, W.B.base]) for (let i = 0; i < 60; i++) devices[base].push(await W.device(base));
    const acked = [], failed = [];
    let seq = 0;
    const kills = [];
    const terminate = async () => +(await promisify(execFile)('psql', ['-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', W.c.db, '-c',
      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cxzy serve ballot writer' AND datname = current_database()) k"])).stdout.trim();
    // four streams, two to each instance, one ballot at a time each; after the 40th, 55th, … 100th is
    // sent the writers' backends are terminated (some while a batch is on its way, some between batches)
    const stream = async (base) => {
      const anon = new Client(base);
      for (let i = 0; i < 30; i++) {
        const tag = `t${++seq}`;
        const sent = anon.post('/api/v1/public/ballots', { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111',
          comment: tag, device: devices[base].pop() });
        if (seq >= 40 && seq <= 100 && seq % 15 === 10) kills.push(terminate()); // psql runs while the ballots are on their way
        const r = await sent;
        if (r.status === 201) acked.push(tag);
        else {
          expectError(r, 503, 'db_unavailable'); // a batch cut off with its connection: not acknowledged, said so
          failed.push(tag);
        }
      }
    };
    await Promise.all([stream(W.A.base), stream(W.A.base), stream(W.B.base), stream(W.B.base)]);
    const killed = await Promise.all(kills);
    assert.equal(killed[0], 2, 'both writers\' backends were terminated');
    assert.ok(acked.length >= 80, `${acked.length} acknowledged, ${failed.length} failed`);
    const stored = new Set(sqlOn(W.c.db, `SELECT comment FROM ballot WHERE target_kind = 'window' AND target_id = ${w.id} AND valid = 1`)
      .split('\n').filter(Boolean));
    assert.deepEqual(acked.filter((t) => !stored.has(t)), [], 'acknowledged ballots missing from the database');
    // the writers are back on new connections: a ballot on each instance is answered 201
    for (const base of [W.A.base, W.B.base]) {
      await ok(await new Client(base).post('/api/v1/public/ballots', { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111',
        comment: 'after', device: await W.device(base) }), 201);
    }
    const now = writers();
    assert.equal(now.length, 2, `${now}`);
    assert.ok(now.every((p) => !before.includes(p)), `new writer connections: ${before} -> ${now}`);
    const res = await W.result('window', w.id);
    assert.equal(res.unverified, stored.size + 2);
  });
}

test('a round closed on either instance counts no ballot after the close, though each instance keeps what it read of the target for a moment', async () => {
  // an instance remembers a target found open for rating while only ballots are committed; any
  // other commit, its own at once and the other instance's when its notification arrives, makes it
  // read again, and the ballot writer reads the round again in its batch whatever the request saw
  const officeB = await loginAs(W.B.base, 'office');
  const camp = (await ok(await W.office.get(`/api/v1/orgs/${W.root}/campaigns`))).campaigns[0];
  const w = await W.window('关闭轮次窗口');
  for (const [closer, label] of [[officeB, 'the same instance'], [W.office, 'the other instance']]) {
    const r = (await ok(await W.office.post(`/api/v1/orgs/${W.branch}/rounds`, { campaign_id: camp.id, name: `支部轮次（${label}）`,
      start_date: camp.start_date, end_date: camp.end_date, questions: 'window6' }), 201)).round;
    const cast = async () => W.anonB.post('/api/v1/public/ballots', { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111',
      device: await W.device(W.B.base) });
    const first = await ok(await cast(), 201);
    assert.equal(first.ballot.round_id, r.id, 'the newest round over the window takes the ballot');
    const before = (await ok(await W.secretary.get(`/api/v1/windows/${w.id}/ratings?round_id=${r.id}`))).result;
    await ok(await closer.post(`/api/v1/rounds/${r.id}/close`));
    const after = await cast();
    if (closer === officeB) assert.equal((await ok(after, 201)).ballot.round_id, W.round.id, 'B saw its own close at once: the district round takes it');
    else if (after.status === 409) expectError(after, 409, 'rating_late'); // B had not heard yet: kept, not counted
    else assert.equal((await ok(after, 201)).ballot.round_id, W.round.id);
    assert.deepEqual((await ok(await W.secretary.get(`/api/v1/windows/${w.id}/ratings?round_id=${r.id}`))).result, before, `${label}: nothing counted in the closed round`);
  }
});

test('instance A killed with SIGKILL while ballots stream to both: every acknowledged ballot is stored, B and nginx go on', async () => {
  const w = await W.window('实例失效窗口');
  const devices = { [W.A.base]: [], [W.B.base]: [] };
  for (const base of [W.A.base, W.B.base]) for (let i = 0; i < 60; i++) devices[base].push(await W.device(base));
  const acked = [], failed = [];
  let seq = 0, killed = false;
  // four streams, two to each instance, one ballot at a time each, each ballot with its own comment
  const stream = async (base) => {
    const anon = new Client(base);
    for (let i = 0; i < 30; i++) {
      const tag = `k${++seq}`;
      if (seq === 40 && !killed) { killed = true; W.A.proc.kill('SIGKILL'); }
      const r = await anon.post('/api/v1/public/ballots', { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111',
        comment: tag, device: devices[base].pop() }).catch((e) => ({ status: 0, text: String(e) }));
      if (r.status === 201) acked.push(tag); else failed.push(`${base} ${r.status}`);
    }
  };
  await Promise.all([stream(W.A.base), stream(W.A.base), stream(W.B.base), stream(W.B.base)]);
  assert.ok(killed);
  await new Promise((resolve) => (W.A.proc.signalCode !== null ? resolve() : W.A.proc.on('exit', resolve)));
  assert.equal(W.A.proc.signalCode, 'SIGKILL');
  // B took all of its share; A's failed once it was gone (connection refused or reset)
  assert.ok(failed.every((f) => f.startsWith(W.A.base)), failed.join(', '));
  assert.ok(acked.length >= 60, `${acked.length} acknowledged`);
  const stored = new Set(sqlOn(W.c.db, `SELECT comment FROM ballot WHERE target_kind = 'window' AND target_id = ${w.id}`).split('\n').filter(Boolean));
  const lost = acked.filter((t) => !stored.has(t));
  assert.deepEqual(lost, [], 'acknowledged ballots missing from the database');
  // through nginx: every request is answered by B (A refuses connections: the next upstream takes it)
  const anon = new Client(W.c.base);
  for (let i = 0; i < 6; i++) {
    await ok(await anon.post('/api/v1/public/ballots', { target_kind: 'window', target_id: w.id, channel: 'web', answers: '111111',
      comment: `n${i}`, device: await W.device(W.c.base) }), 201);
  }
  const secretary = await loginAs(W.c.base, 'secretary');
  const res = (await ok(await secretary.get(`/api/v1/windows/${w.id}/ratings?round_id=${W.round.id}`))).result;
  assert.equal(res.unverified, stored.size + 6);
});

// ballot_trust.test.mjs: public ballots that one person cannot stuff (issue 12, section 3), on
// servers of this file's own. A stuffer with fresh device tokens from several source addresses
// (the server reads only the socket's address, so the requests come from distinct loopback
// addresses 127.x.y.z) moves neither a member's computed grade score nor any published
// satisfaction figure: without a verified phone a web ballot is only the unverified indicator,
// shown apart. Device tokens are issued and signed by the server: a value a client makes up is
// refused. A burst of verified ballots (too many for one target in a window, or from one network
// prefix) is held out of every figure and grade until the office releases it (then it counts)
// or discards it (then it is invalid), audited; the roll-ups and `cxzy recount` agree throughout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, smsCode, fromAddr } from '../lib.mjs';

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

/** A server with its own demo district and an open round over it; the people of the demo. */
async function district(args) {
  const s = await startServerOn({ args });
  const [office, secretary, member, town] = await Promise.all(['office', 'secretary', 'member', 'town'].map((u) => loginAs(s.base, u)));
  const root = office.user.roles[0].org_id;
  const camp = (await ok(await office.get(`/api/v1/orgs/${root}/campaigns`))).campaigns[0];
  const round = (await ok(await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' }), 201)).round;
  const anon = new Client(s.base);
  let phoneSeq = 0;
  const d = {
    s, office, secretary, member, town, root, camp, round, anon,
    branch: secretary.user.roles[0].org_id, memberId: member.user.member_id, townId: town.user.roles[0].org_id,
    /** A device token the server issued, asked for from addr (default: 127.0.0.1). */
    device: async (addr = '127.0.0.1') =>
      (await ok(await fromAddr(s.base, addr, 'GET', `/api/v1/public/rating?target_kind=org&target_id=${d.branch}`))).device,
    /** What a verified rater sends: a fresh phone, the SMS code it received, a device token. */
    async rater() {
      const phone = `1350000${String(++phoneSeq).padStart(4, '0')}`;
      await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
      return { phone, code: await smsCode(s, phone), device: await d.device() };
    },
    /** A web ballot whose rater verifies a fresh phone by its SMS code. */
    async verified(body) { return anon.post('/api/v1/public/ballots', { channel: 'web', ...body, ...(await d.rater()) }); },
    /** A member's result (the org target's: orgTarget). */
    result: async (kind, id) => (await ok(await secretary.get(`/api/v1/${kind}s/${id}/ratings?round_id=${round.id}`))).result,
    orgTarget: async (id) => (await ok(await secretary.get(`/api/v1/orgs/${id}/ratings?round_id=${round.id}`))).targets
      .find((x) => x.target_kind === 'org' && x.target_id === id),
    orgTotals: async () => (await ok(await secretary.get(`/api/v1/orgs/${d.branch}/ratings?round_id=${round.id}`))).totals,
    dashboard: async () => (await ok(await town.get(`/api/v1/orgs/${d.townId}/dashboard?round_id=${round.id}`))).total,
    /** The branch's member grades computed from the raw records: the member's row. */
    async grade() {
      const g = await ok(await secretary.post(`/api/v1/orgs/${d.branch}/grades`, { kind: 'member', round_id: round.id }));
      return g.grades.find((x) => x.target_id === d.memberId);
    },
    recount() {
      const r = s.cli(['recount', '--round', String(round.id)]);
      assert.equal(r.status, 0, `recount: ${r.stdout}${r.stderr}`);
    },
  };
  return d;
}

// Stuffing: per-address limit 6 an hour; bursts off here, so that nothing but the rule under
// test (only verified raters count) stands between the stuffer and the figures.
const A = await district(['--ballot-limit', '6', '--burst-target', '0', '--burst-net', '0']);
// Bursts: a target takes 3 web ballots in 10 minutes before holding; network bursts apart (C).
const B = await district(['--ballot-limit', '1000', '--sms-limit', '100', '--burst-target', '3', '--burst-window', '600', '--burst-net', '0']);
const C = await district(['--ballot-limit', '1000', '--burst-target', '0', '--burst-net', '2']);
after(() => Promise.all([A.s.stop(), B.s.stop(), C.s.stop()]));

test('stuffing with fresh device tokens from several addresses moves neither the grade score nor any published satisfaction', async () => {
  const { office, camp, memberId } = A;
  // the campaign does not even ask 不满意 for an SMS code: still, unverified ballots must not count
  await ok(await office.patch(`/api/v1/campaigns/${camp.id}/rules`, { sms_required: false }));
  // two residents verify their phones and rate the member
  for (const answers of ['111', '112']) assert.equal((await ok(await A.verified({ target_kind: 'member', target_id: memberId, answers }), 201)).ballot.counted, true);
  const g0 = await A.grade();
  assert.ok(g0 && g0.scores.public !== null, `the member has a public score: ${JSON.stringify(g0)}`);
  const [r0, t0, d0] = [await A.result('member', memberId), await A.orgTotals(), await A.dashboard()];
  assert.deepEqual([r0.valid, r0.unverified, r0.rate_x10000], [2, 0, 10000]);

  // the stuffer: four addresses in four networks, six ballots each (the per-address limit), a
  // fresh server-issued device token for every ballot, half 满意 and half 不满意
  const addrs = ['127.0.0.2', '127.1.0.3', '127.2.0.4', '127.3.0.5'];
  let n = 0;
  for (const addr of addrs) {
    for (let i = 0; i < 6; i++) {
      const bad = n++ % 2 === 1;
      const r = await fromAddr(A.s.base, addr, 'POST', '/api/v1/public/ballots', { target_kind: 'member', target_id: memberId, channel: 'web',
        answers: bad ? '333' : '111', reason: bad ? '刷票' : '', device: await A.device(addr) });
      const b = (await ok(r, 201)).ballot;
      assert.deepEqual([b.counted, b.verified, b.status], [false, false, 'unverified']);
      assert.match(b.status_text, /未验证的网上评价：仅供参考，不计入等次和满意率/);
    }
    // the seventh from that address: the per-address limit
    expectError(await fromAddr(A.s.base, addr, 'POST', '/api/v1/public/ballots', { target_kind: 'member', target_id: memberId, channel: 'web',
      answers: '111', device: await A.device(addr) }), 429, 'rate_limited');
  }

  // the grade computed from the raw records again: the same score, the same public component
  const g1 = await A.grade();
  assert.deepEqual([g1.score, g1.scores.public, g1.computed], [g0.score, g0.scores.public, g0.computed]);
  // the published figures: the member's, the branch's, the town dashboard's
  const [r1, t1, d1] = [await A.result('member', memberId), await A.orgTotals(), await A.dashboard()];
  assert.deepEqual([r1.valid, r1.rate_x10000, r1.satisfied, r1.basic, r1.unsatisfied], [r0.valid, r0.rate_x10000, r0.satisfied, r0.basic, r0.unsatisfied]);
  assert.deepEqual([t1.valid, t1.rate_x10000, t1.unsatisfied], [t0.valid, t0.rate_x10000, t0.unsatisfied]);
  assert.deepEqual([d1.ballots_valid, d1.satisfaction_text, d1.answers_unsatisfied], [d0.ballots_valid, d0.satisfaction_text, d0.answers_unsatisfied]);
  // ...and the unverified indicator shows the 24 ballots apart, labelled
  assert.equal(r1.unverified, 24);
  assert.deepEqual([r1.unverified_indicator.ballots, r1.unverified_indicator.satisfied, r1.unverified_indicator.unsatisfied], [24, 36, 36]);
  assert.equal(r1.unverified_indicator.label, '未验证的网上评价，仅供参考，不计入等次和满意率');
  assert.deepEqual([r1.counted_by.web_sms, r1.counted_by.paper, r1.counted_by.phone], [2, 0, 0]);
  assert.deepEqual([t1.unverified, d1.ballots_unverified], [24, 24]);
  assert.match(t1.unverified_text, /未验证的网上评价 24 票，仅供参考，不计入等次和满意率/);
  const page = await A.secretary.get(`/members/${memberId}/ratings?round_id=${A.round.id}`);
  assert.ok(page.text.includes('<strong id="unverified">24</strong>') && page.text.includes(r1.basis_text));
  A.recount();
});

test('a device token the server did not sign is refused, on the API and in the form\'s cookie', async () => {
  const { memberId, s } = A;
  const body = (device) => ({ target_kind: 'org', target_id: A.branch, channel: 'web', answers: '111', device });
  const good = await A.device();
  assert.match(good, /^[0-9a-f]{32}\.[0-9a-f]{32}$/);
  const forged = [
    'a'.repeat(32), // the shape the old page cookie had
    'my-own-device-value-0123456789', // any 16–128 characters were taken
    `${good.slice(0, 33)}${good[33] === '0' ? '1' : '0'}${good.slice(34)}`, // a signed token, its signature altered
    `${'0'.repeat(32)}${good.slice(32)}`, // another id under a real signature
  ];
  const before = await A.orgTotals();
  for (const f of forged) expectError(await A.anon.post('/api/v1/public/ballots', body(f)), 400, 'invalid_device', 'device');
  assert.deepEqual(await A.orgTotals(), before, 'refused ballots change nothing');
  // the server's own token is taken; the rating form's answer echoes a valid one and replaces a forged one
  assert.equal((await A.anon.post('/api/v1/public/ballots', body(good))).status, 201);
  assert.equal((await A.orgTotals()).unverified, before.unverified + 1);
  const info = async (dv) => (await ok(await A.anon.get(`/api/v1/public/rating?target_kind=member&target_id=${memberId}&device=${dv}`))).device;
  assert.equal(await info(good), good);
  assert.notEqual(await info('a'.repeat(32)), 'a'.repeat(32));
  // the page: a cookie the client made is refused, and a signed one is set in its place
  const pub = new Client(s.base);
  pub.cookies.set('cxzy_rater', 'b'.repeat(32));
  const form = await pub.req('POST', `/p/rate/member/${memberId}`, { body: new URLSearchParams({ q1: '1', q2: '1', q3: '1' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 400);
  assert.match(form.text, /data-code="invalid_device"/);
  assert.match(pub.cookies.get('cxzy_rater'), /^[0-9a-f]{32}\.[0-9a-f]{32}$/);
  const again = await pub.req('POST', `/p/rate/member/${memberId}`, { body: new URLSearchParams({ q1: '1', q2: '1', q3: '1' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(again.status, 303, 'the thanks page by a redirect: a refresh casts nothing');
  const thanks = await pub.get(again.headers.get('location'));
  assert.match(thanks.text, /data-status="unverified"/);
});

test('a burst of verified ballots is held out of the figures and the grade until the office releases it (audited)', async () => {
  const { memberId, office, secretary, root } = B;
  const cast = async (answers) => (await ok(await B.verified({ target_kind: 'member', target_id: memberId, answers, reason: answers.includes('3') ? '办事拖拉' : '' }), 201)).ballot;
  for (let i = 0; i < 3; i++) assert.equal((await cast('111')).status, 'counted');
  // the fourth and fifth within the window: held, told so
  for (let i = 0; i < 2; i++) {
    const b = await cast('333');
    assert.deepEqual([b.counted, b.verified, b.held, b.status], [false, true, true, 'held']);
    assert.match(b.status_text, /审核后计入/);
  }
  const held = await B.result('member', memberId);
  assert.deepEqual([held.valid, held.held, held.rate_x10000, held.unsatisfied], [3, 2, 10000, 0], 'held ballots are in no figure');
  assert.match(held.held_text, /集中投票待审核 2 票，审核前不计入/);
  const t = await B.orgTotals();
  assert.deepEqual([t.valid, t.held, t.rate_x10000], [3, 2, 10000]);
  assert.deepEqual([(await B.dashboard()).ballots_held, (await B.dashboard()).satisfaction_text], [2, '100.0%']);
  const gHeld = await B.grade();
  assert.equal(gHeld.scores.public, 100, 'the grade ignores held ballots');
  B.recount();

  // the office sees the burst; a secretary may not
  const list = (await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=open`))).bursts;
  assert.equal(list.length, 1);
  const burst = list[0];
  assert.deepEqual([burst.target_kind, burst.target_id, burst.reason, burst.state, burst.held], ['member', memberId, 'target', 'open', 2]);
  assert.match(burst.reason_text, /对该对象的网上评价过多/);
  expectError(await secretary.get(`/api/v1/orgs/${B.branch}/ballot-bursts`), 403, 'forbidden');
  const page = await office.get(`/orgs/${root}/ballot-bursts`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('2 票待审核') && page.text.includes('计入结果'));
  // bad decisions change nothing
  const decide = (b) => office.post(`/api/v1/orgs/${root}/ballot-bursts`, b);
  expectError(await decide({ burst_id: burst.id, decision: 'maybe' }), 400, 'invalid_decision', 'decision');
  expectError(await decide({ burst_id: 'x', decision: 'release' }), 400, 'invalid_burst', 'burst_id');
  expectError(await decide({ burst_id: 987654, decision: 'release' }), 404, 'not_found', 'burst_id');
  expectError(await decide({ burst_id: burst.id, decision: 'discard' }), 400, 'required', 'note');
  expectError(await secretary.post(`/api/v1/orgs/${B.branch}/ballot-bursts`, { burst_id: burst.id, decision: 'release' }), 403, 'forbidden');
  assert.deepEqual(await B.result('member', memberId), held);

  // released: the two ballots count, in the figures, the roll-ups and the grade
  const rel = (await ok(await decide({ burst_id: burst.id, decision: 'release', note: '经核实为村民集中反映意见' }))).burst;
  assert.deepEqual([rel.state, rel.held, rel.released, rel.note], ['released', 0, 2, '经核实为村民集中反映意见']);
  const now = await B.result('member', memberId);
  assert.deepEqual([now.valid, now.held, now.unsatisfied, now.rate_x10000], [5, 0, 6, 6000]);
  const t2 = await B.orgTotals();
  assert.deepEqual([t2.valid, t2.held, t2.rate_x10000], [5, 0, 6000]);
  const g = await B.grade();
  assert.ok(g.scores.public < gHeld.scores.public, `released ballots count in the grade: ${g.scores.public}`);
  expectError(await decide({ burst_id: burst.id, decision: 'discard', note: '再改' }), 409, 'burst_decided', 'id');
  // the decision is audited
  const audit = (await ok(await office.get(`/api/v1/orgs/${root}/audit`))).records;
  const rec = audit.find((a) => a.entity === 'ballot_burst' && a.entity_id === burst.id);
  assert.ok(rec && rec.action === 'release', JSON.stringify(audit.slice(0, 3)));
  assert.deepEqual(JSON.parse(rec.after).ballots, 2);
  B.recount();

  // another burst, on the branch itself, discarded: its ballot counts as invalid
  const org = async (answers) => (await ok(await B.verified({ target_kind: 'org', target_id: B.branch, answers, reason: answers === '333' ? '刷票' : '' }), 201)).ballot;
  for (let i = 0; i < 3; i++) await org('111');
  assert.equal((await org('333')).status, 'held');
  const ob = (await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=open`))).bursts[0];
  assert.equal(ob.target_kind, 'org');
  // this time on the office's page: the form's 作废 button
  const form = await office.req('POST', `/orgs/${root}/ballot-bursts`, { body: new URLSearchParams({ burst_id: String(ob.id), decision: 'discard',
    note: '同一时段集中刷票' }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 303, form.text.slice(0, 300));
  const after = await office.get(form.headers.get('location'));
  assert.ok(after.text.includes('已审核：这批评价作废') && after.text.includes('已审核作废'));
  const dis = (await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=discarded`))).bursts[0];
  assert.deepEqual([dis.id, dis.state, dis.discarded, dis.note], [ob.id, 'discarded', 1, '同一时段集中刷票']);
  const orr = await B.orgTarget(B.branch);
  assert.deepEqual([orr.valid, orr.held, orr.invalid, orr.rate_x10000], [3, 0, 1, 10000]);
  assert.equal((await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=open`))).bursts.length, 0);
  B.recount();
  const v = B.s.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('an office decision racing new ballots of the same burst leaves no ballot held under a decided burst', async () => {
  const { memberId, office, root } = B;
  // the member is still past its limit in this window: the next ballot opens a new burst
  assert.equal((await ok(await B.verified({ target_kind: 'member', target_id: memberId, answers: '111' }), 201)).ballot.status, 'held');
  const open = (await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=open`))).bursts;
  assert.deepEqual(open.map((b) => [b.target_id, b.held]), [[memberId, 1]]);
  // six more raters ready; their ballots and the release all at once
  const raters = [];
  for (let i = 0; i < 6; i++) raters.push(await B.rater());
  const before = await B.result('member', memberId);
  const [rel, ...cast] = await Promise.all([
    office.post(`/api/v1/orgs/${root}/ballot-bursts`, { burst_id: open[0].id, decision: 'release', note: '并发审核' }),
    ...raters.map((r) => B.anon.post('/api/v1/public/ballots', { target_kind: 'member', target_id: memberId, channel: 'web', answers: '112', ...r }))]);
  await ok(rel);
  for (const c of cast) assert.equal((await ok(c, 201)).ballot.status, 'held');
  // whatever the order: the released burst's ballots count, every other one is in an open burst
  const after = await B.result('member', memberId);
  const released = (await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=released`))).bursts.find((b) => b.id === open[0].id);
  assert.deepEqual([released.held, after.valid], [0, before.valid + released.released]);
  const still = (await ok(await office.get(`/api/v1/orgs/${root}/ballot-bursts?state=open`))).bursts;
  assert.equal(still.reduce((n, b) => n + b.held, 0), after.held);
  assert.equal(after.valid + after.held, before.valid + before.held + 6);
  await B.grade(); // the branch's grades from the ballots that count now (recount compares them too)
  B.recount();
});

test('a burst from one network prefix is held, whatever the target; other networks are not', async () => {
  const { memberId, branch } = C;
  const send = async (addr, kind, id) => (await ok(await fromAddr(C.s.base, addr, 'POST', '/api/v1/public/ballots',
    { target_kind: kind, target_id: id, channel: 'web', answers: '111', device: await C.device(addr) }), 201)).ballot;
  // three addresses of one /24, three targets: the third is past the network's limit of 2
  assert.equal((await send('127.8.8.2', 'member', memberId)).status, 'unverified');
  assert.equal((await send('127.8.8.3', 'org', branch)).status, 'unverified');
  assert.equal((await send('127.8.8.4', 'org', C.townId)).status, 'held');
  // another network is not held
  assert.equal((await send('127.9.0.1', 'org', C.townId)).status, 'unverified');
  const bursts = (await ok(await C.office.get(`/api/v1/orgs/${C.root}/ballot-bursts`))).bursts;
  assert.deepEqual(bursts.map((b) => [b.reason, b.target_id, b.held]), [['network', C.townId, 1]]);
  assert.match(bursts[0].reason_text, /同一网段/);
  C.recount();
});

// crash.test.mjs: kill -9 of the server in the middle of concurrent writes of every kind a user is
// acknowledged for — public ballots, public feedback (the citizen is handed a tracking code),
// pledges and logins (a session) — then a restart on the same database: every write that got a 2xx
// is there, and `audit verify` and `recount` pass. Bounded: about a second of load on 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, sqlOn, daysFromToday, PASSWORD } from '../lib.mjs';

// one process killed and started again on its database (an instance lost from several: cluster.test.mjs)
const srv = await startServerOn({ args: ['--ballot-limit', '100000'], single: true });
let restarted = null;
after(async () => { if (restarted) await restarted.stop(); });

test('kill -9 during concurrent writes loses no acknowledged ballot, feedback, pledge or session', async () => {
  const member = await loginAs(srv.base, 'member');
  const secretary = await loginAs(srv.base, 'secretary');
  const branch = secretary.user.roles[0].org_id;
  const roster = (await secretary.get(`/api/v1/orgs/${branch}/members?per_page=200`)).json.members;
  const ballotsBefore = Number(sqlOn(srv.db, 'SELECT count(*) FROM ballot'));
  const acked = { ballots: 0, codes: [], pledges: [], sessions: [] };
  let stop = false;
  const deadline = Date.now() + 10000;
  const worker = async (kind, i) => {
    for (let n = 0; !stop && Date.now() < deadline; n++) {
      try {
        if (kind === 'ballot') {
          const anon = new Client(srv.base);
          const target = roster[(i * 31 + n) % roster.length].id;
          const info = await anon.get(`/api/v1/public/rating?target_kind=member&target_id=${target}`);
          if (info.status !== 200) continue;
          const r = await anon.post('/api/v1/public/ballots', { channel: 'web', target_kind: 'member', target_id: target, answers: '112', device: info.json.device });
          if (r.status === 201) acked.ballots++;
        } else if (kind === 'feedback') {
          const r = await new Client(srv.base).post('/api/v1/public/feedback', { kind: 'opinion', text: `路灯坏了，第 ${i}-${n} 次反映`, channel: 'web' });
          if (r.status === 201) acked.codes.push(r.json.code);
        } else if (kind === 'pledge') {
          const title = `崩溃测试承诺 ${i}-${n}`;
          const r = await member.post('/api/v1/pledges', { area: '服务群众', title, content: '每周走访。', measures: '周六上门。', responsible: '本人',
            due_date: daysFromToday(30) });
          if (r.status === 201) acked.pledges.push(title);
        } else {
          const c = new Client(srv.base);
          const r = await c.post('/api/v1/session', { username: 'office', password: PASSWORD });
          if (r.status === 200) acked.sessions.push(c.cookieHeader());
        }
      } catch { return; } // the connection died with the server: not acknowledged
    }
  };
  const kinds = ['ballot', 'ballot', 'ballot', 'feedback', 'feedback', 'pledge', 'login'];
  const running = kinds.map((k, i) => worker(k, i));
  // kill as soon as every kind has been acknowledged a few times (no sleeping: polled on each answer)
  await new Promise((resolve) => {
    const check = () => (acked.ballots >= 10 && acked.codes.length >= 5 && acked.pledges.length >= 3 && acked.sessions.length >= 1) || Date.now() > deadline
      ? resolve() : setImmediate(check);
    check();
  });
  srv.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(running);
  await new Promise((resolve) => (srv.proc.exitCode !== null || srv.proc.signalCode !== null ? resolve() : srv.proc.on('exit', resolve)));
  assert.ok(acked.ballots >= 10 && acked.codes.length >= 5 && acked.pledges.length >= 3 && acked.sessions.length >= 1,
    `load ran: ${JSON.stringify({ ...acked, codes: acked.codes.length, pledges: acked.pledges.length, sessions: acked.sessions.length })}`);

  restarted = await startServerOn({ db: srv.db, demo: false, single: true });
  assert.ok(Number(sqlOn(srv.db, 'SELECT count(*) FROM ballot')) - ballotsBefore >= acked.ballots, 'every acknowledged ballot is stored');
  const anon = new Client(restarted.base);
  for (const code of acked.codes) {
    const t = await anon.post('/api/v1/public/track', { code });
    assert.equal(t.status, 200, `tracking code ${code}: ${t.text.slice(0, 200)}`);
  }
  const m2 = await loginAs(restarted.base, 'member');
  const mine = JSON.stringify((await m2.get('/api/v1/me/pledges?per_page=500')).json);
  for (const title of acked.pledges) assert.ok(mine.includes(title), `pledge ${title}`);
  for (const cookie of acked.sessions) {
    const c = new Client(restarted.base);
    c.cookies = new Map(cookie.split('; ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    assert.equal((await c.get('/api/v1/me')).status, 200, 'an acknowledged login keeps its session');
  }
  const v = restarted.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const rounds = sqlOn(srv.db, 'SELECT id FROM review_round').split('\n').filter(Boolean);
  for (const r of rounds) {
    const rc = restarted.cli(['recount', '--round', r]);
    assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  }
});

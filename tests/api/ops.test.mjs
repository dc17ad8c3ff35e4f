// ops.test.mjs: the server's log and its operations endpoints, as an operator and an attacker see
// them. Every request gets an X-Request-Id that names its one access line (method, path without
// query values, status, bytes, time); nothing secret reaches the log (the phone of an SMS code,
// the code outside the demo gateway's own line, a tracking code, a password); a database error
// reaches the client as Chinese words and the request id, its text only the error log; /healthz
// answers 200 or 503; /metrics is Prometheus text that counts what was asked, for this machine only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { startServerOn, Client, PASSWORD, sqlOn, scratchFile, smsCode, maskPhone, expectError, BACKEND } from '../lib.mjs';

let srv, anon, logFile;
const log = () => readFileSync(logFile, 'utf8');
/** The access lines of the log as {rid, method, path, status, bytes, ms}. */
function accessLines() {
  return log().split('\n').filter((l) => / access /.test(l)).map((l) => {
    const kv = {};
    for (const m of l.matchAll(/ (\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) kv[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
    return kv;
  });
}
/** Waits (bounded) until the access line of rid is in the log; returns it. */
async function accessOf(rid) {
  for (let i = 0; i < 20000; i++) {
    const l = accessLines().filter((x) => x.rid === rid);
    if (l.length) { assert.equal(l.length, 1, `one access line for ${rid}`); return l[0]; }
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no access line for ${rid}`);
}
const errorLines = (rid) => log().split('\n').filter((l) => / error /.test(l) && l.includes(`rid=${rid}`));

before(async () => {
  logFile = scratchFile(`ops-${process.pid}.log`, '');
  srv = await startServerOn({ members: 30, args: ['--log', logFile] });
  anon = new Client(srv.base);
});
after(async () => { await srv.stop(); });

const ren = (from, to) => sqlOn(srv.db, `ALTER TABLE ${from} RENAME TO ${to}`);

// First (on PostgreSQL a statement prepared before a rename would still find the table): the
// health check with the schema gone and back.
test('/healthz: 503 with a Chinese message while the database cannot be read, 200 again after', async () => {
  ren('schema_migrations', 'schema_migrations_away');
  let r;
  try { r = await anon.get('/healthz'); } finally { ren('schema_migrations_away', 'schema_migrations'); }
  assert.equal(r.status, 503, r.text);
  assert.equal(r.json.status, 'error');
  assert.match(r.json.message, /[\u4e00-\u9fff]/);
  const rid = r.headers.get('x-request-id');
  assert.ok(r.json.message.includes(rid), 'the message names the request id');
  assert.doesNotMatch(r.text, /schema_migrations|no such table|does not exist|relation/);
  assert.equal(errorLines(rid).length, 1, 'the error log has it');
  r = await anon.get('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok', db: 'ok' });
  assert.equal((await accessOf(r.headers.get('x-request-id'))).status, '200');
});

test('a database error: the client gets Chinese words and the request id, the error log the detail', async () => {
  ren('feedback', 'feedback_away');
  let r;
  try {
    r = await anon.post('/api/v1/public/feedback', { kind: 'opinion', text: '小区路灯坏了很久，请尽快修理', channel: 'web' });
  } finally { ren('feedback_away', 'feedback'); }
  const e = expectError(r, 500, 'db_error');
  const rid = r.headers.get('x-request-id');
  assert.match(rid, /^[0-9a-f]{16}$/);
  assert.equal(e.message, `服务器内部错误（请求编号 ${rid}），请稍后再试`);
  assert.doesNotMatch(e.message, /feedback|no such table|does not exist|relation|SQL|ERROR/i);
  const errs = errorLines(rid);
  assert.equal(errs.length, 1, log());
  assert.match(errs[0], /store\/feedback\.c:\d+/, 'where it happened');
  assert.match(errs[0], /no such table: feedback|relation \\"feedback\\" does not exist/, 'the database text');
  assert.match(errs[0], /route=\/api\/v1\/public\/feedback/);
  assert.equal((await accessOf(rid)).status, '500');
  // a page gets the same
  ren('feedback', 'feedback_away');
  try {
    r = await anon.req('POST', '/p/feedback', { body: new URLSearchParams({ kind: 'opinion', text: '小区路灯坏了很久，请尽快修理' }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  } finally { ren('feedback_away', 'feedback'); }
  assert.equal(r.status, 500);
  assert.ok(r.text.includes(`请求编号 ${r.headers.get('x-request-id')}`), r.text.slice(0, 300));
  assert.doesNotMatch(r.text, /no such table|does not exist/);
});

test('/metrics: Prometheus text counting the requests made, for this machine only', async () => {
  // one process's figures, read on this machine: with several instances, instance A's, asked directly
  // (through nginx /metrics is forwarded, so not local: refused, as the end of this test shows)
  const anon = srv.instances ? new Client(srv.instances[0].base) : new Client(srv.base);
  const scrape = async () => {
    const r = await anon.get('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const m = new Map();
    for (const line of r.text.split('\n')) {
      if (!line || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      const x = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$/);
      assert.ok(x, `not Prometheus text: ${line}`);
      m.set(x[1] + (x[2] || ''), Number(x[3]));
    }
    return m;
  };
  const card = 'cxzy_http_requests_total{method="GET",route="/p/card/:id",status="200"}';
  const missing = 'cxzy_http_requests_total{method="any",route="unmatched",status="404"}';
  const sec = new Client(srv.base);
  const branch = (await sec.login('secretary')).json.user.roles[0].org_id;
  const m0 = await scrape();
  for (let i = 0; i < 3; i++) assert.equal((await anon.get('/p/card/1')).status, 200);
  // a public web ballot, through the ballot writer
  const device = (await anon.get(`/api/v1/public/rating?target_kind=org&target_id=${branch}`)).json.device;
  const b = await anon.post('/api/v1/public/ballots', { channel: 'web', target_kind: 'org', target_id: branch, answers: '111', device });
  assert.equal(b.status, 201, b.text);
  assert.equal((await anon.get('/no/such/page')).status, 404);
  const m1 = await scrape();
  assert.equal((m1.get(card) || 0) - (m0.get(card) || 0), 3);
  assert.equal((m1.get(missing) || 0) - (m0.get(missing) || 0), 1);
  const hc = 'cxzy_http_request_duration_seconds_count{method="GET",route="/p/card/:id"}';
  assert.equal(m1.get(hc) - (m0.get(hc) || 0), 3);
  assert.equal(m1.get('cxzy_http_request_duration_seconds_bucket{method="GET",route="/p/card/:id",le="+Inf"}'), m1.get(hc));
  assert.ok(m1.get('cxzy_db_errors_total') >= 2, 'the database errors above are counted');
  assert.equal(m1.get('cxzy_ballots_acknowledged_total') - m0.get('cxzy_ballots_acknowledged_total'), 1);
  assert.equal(m1.get('cxzy_ballot_batch_size_count') - m0.get('cxzy_ballot_batch_size_count'), 1);
  assert.equal(m1.get('cxzy_ballot_queue_depth'), 0);
  for (const k of ['cxzy_ballots_acknowledged_total', 'cxzy_ballot_queue_depth', 'cxzy_ballot_batch_size_count', 'cxzy_ballot_batch_size_bucket{le="+Inf"}'])
    assert.ok(m1.has(k), k);
  // a request forwarded by a proxy on this machine is not local
  const fwd = await anon.get('/metrics', { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  assert.equal(fwd.status, 403);
  assert.doesNotMatch(fwd.text, /cxzy_/);
});

test('an access line per request, its id in the X-Request-Id header, and no secret in the log', async () => {
  const phone = '13812345678';
  const user = new Client(srv.base);
  const seen = [];
  const keep = (r) => { seen.push(r); return r; };
  keep(await user.login('secretary'));
  keep(await user.get('/api/v1/me'));
  keep(await anon.post('/api/v1/session', { username: 'secretary', password: 'wrong-password-12345' }));
  assert.equal(keep(await anon.post('/api/v1/public/sms-codes', { phone })).status, 202);
  const sms = await smsCode({ log }, phone);
  const fb = keep(await anon.post('/api/v1/public/feedback', { kind: 'opinion', text: '希望社区多组织便民服务活动', contact: phone, channel: 'web' }));
  assert.equal(fb.status, 201, fb.text);
  const code = fb.json.code;
  keep(await anon.post('/api/v1/public/track', { code }));
  keep(await anon.get(`/p/track?code=${encodeURIComponent(code)}&phone=${phone}`));
  keep(await anon.get(`/p/track/${code}`)); // a mistyped address with the code in it (404)
  // a code may have no digit at all (about one in 120): such a segment is not logged either
  const letters = 'JXYMYNAQCYJSW';
  keep(await anon.get(`/p/track/${letters}`));
  keep(await anon.get(`/p/${letters.toLowerCase()}-x`));
  keep(await anon.get('/static/no-such-file.css'));
  for (const r of seen) {
    const rid = r.headers.get('x-request-id');
    assert.match(rid || '', /^[0-9a-f]{16}$/);
    const a = await accessOf(rid);
    assert.equal(a.status, String(r.status));
    assert.match(a.method, /^(GET|POST)$/);
    assert.match(a.ms, /^\d+\.\d{3}$/);
    assert.equal(Number(a.bytes), r.buf.length);
  }
  assert.equal(new Set(seen.map((r) => r.headers.get('x-request-id'))).size, seen.length, 'ids are unique');
  const text = log();
  const bare = code.replace(/-/g, '');
  for (const s of [phone, PASSWORD, 'wrong-password-12345', code, bare, letters, letters.toLowerCase()])
    assert.ok(!text.includes(s), `the log holds “${s}”`);
  // the SMS code is only in the demo gateway's line (which a test or the console reads), with the phone masked
  const withCode = text.split('\n').filter((l) => l.includes(sms));
  assert.ok(withCode.length >= 1 && withCode.every((l) => l.includes(`sms gateway=log to=${maskPhone(phone)}`)), withCode.join('\n'));
  assert.ok(accessLines().some((a) => a.path === '/p/track?code=&phone='), 'query names, never their values');
  assert.ok(accessLines().some((a) => a.path === '/p/track/*' && a.status === '404'));
  assert.equal(statSync(logFile).mode & 0o777, 0o600);
});

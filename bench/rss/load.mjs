// bench/rss/load.mjs BASE PID SECONDS [CONCURRENCY] [SAMPLE_SECONDS]: a bounded mixed load on a
// cxzy demo server at BASE (127.0.0.1 only) while sampling the server's memory (/proc/PID/status
// VmRSS, VmHWM). Public cards and boards, public ballots (a fresh server-issued device token each),
// logins and sign-outs, staff pages and API lists as signed-in users, public feedback posts. Source
// addresses vary over 127.x.y.z (loopback) as citizens' do, so per-address limits do not turn the
// writes into 429s. Prints one line a sample (floor and high of RSS in its window), then idle, peak
// (VmHWM), the floor at the end and its trend (least squares) over the second half. LOGINS=0 leaves
// logins out of the mix (no argon2id, 64 MiB per check).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [base, pidArg, secsArg, concArg, sampleArg] = process.argv.slice(2);
const LOGINS = process.env.LOGINS !== '0'; // LOGINS=0: no logins in the mix (no argon2id checks)
const pid = Number(pidArg), SECS = Number(secsArg || 300), CONC = Number(concArg || 16), SAMPLE = Number(sampleArg || 5);
const { hostname, port } = new URL(base);
if (hostname !== '127.0.0.1') throw new Error('load only to 127.0.0.1');
const PASSWORD = 'cxzy-demo-2026';
const USERS = ['office', 'discipline', 'town', 'leader', 'secretary', 'member', 'secretary2'];
const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });

function mem() {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)[1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

let addrSeq = 0;
const nextAddr = () => { addrSeq++; return `127.${1 + (addrSeq >> 16) % 250}.${(addrSeq >> 8) & 255}.${1 + (addrSeq & 255) % 254}`; };

/** One request; body: object sent as JSON; from: a loopback source address (own connection). */
function req(method, path, { body, cookie, csrf, from } = {}) {
  return new Promise((resolve) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const headers = {};
    if (data) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = data.length; }
    if (cookie) headers.Cookie = cookie;
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const q = http.request({ host: '127.0.0.1', port, method, path, headers, ...(from ? { localAddress: from, agent: false } : { agent }) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* a page */ }
        resolve({ status: res.statusCode, json, cookie: (res.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('cxzy_session=')) });
      });
    });
    q.on('error', () => resolve({ status: 0 }));
    q.setTimeout(30000, () => q.destroy());
    if (data) q.write(data);
    q.end();
  });
}

async function login(user, from) {
  const r = await req('POST', '/api/v1/session', { body: { username: user, password: PASSWORD }, from });
  return r.status === 200 ? { cookie: r.cookie, csrf: r.json.csrf, org: r.json.user.roles[0]?.org_id } : null;
}

const pick = (a) => a[Math.floor(Math.random() * a.length)];
const rnd = (n) => 1 + Math.floor(Math.random() * n);
const idle = mem(); // started, serving nothing yet
const staff = [];
for (const u of ['office', 'town', 'secretary', 'secretary2']) {
  let s = null;
  for (let i = 0; i < 20 && !(s = await login(u)); i++) await new Promise((r) => setTimeout(r, 1000)); // 429: retry after a second
  if (!s) throw new Error(`login ${u} failed`);
  staff.push(s);
}
const MEMBERS = Number(process.env.MEMBERS || 300), ORGS = Number(process.env.ORGS || 19); // ids 1..N (run.sh asks the database)
const counts = {};
const count = (what, status) => { const k = `${what} ${status}`; counts[k] = (counts[k] || 0) + 1; };

const ACTIONS = [
  [40, async () => count('card', (await req('GET', `/p/card/${rnd(MEMBERS)}`)).status)],
  [10, async () => count('board', (await req('GET', `/p/board/${rnd(ORGS)}`)).status)],
  [10, async () => {
    const from = nextAddr(), id = rnd(MEMBERS);
    const info = await req('GET', `/api/v1/public/rating?target_kind=member&target_id=${id}`, { from });
    const device = info.json?.device;
    count('ballot', (await req('POST', '/api/v1/public/ballots', { from, body: { target_kind: 'member', target_id: id, channel: 'web', answers: '112', comment: '服务热情', device } })).status);
  }],
  [LOGINS ? 4 : 0, async () => {
    const from = nextAddr();
    const s = await login(pick(USERS), from);
    count('login', s ? 200 : 'fail');
    if (s) count('logout', (await req('DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrf, from })).status);
  }],
  [LOGINS ? 1 : 0, async () => count('bad login', (await req('POST', '/api/v1/session', { from: nextAddr(), body: { username: pick(USERS), password: 'wrong-pass-2026' } })).status)],
  [25, async () => {
    const s = pick(staff);
    const path = pick([`/orgs/${s.org}`, `/api/v1/orgs/${s.org}/members?subtree=1&page=${rnd(5)}&per_page=50`, `/orgs/${s.org}/pledges`,
      `/orgs/${s.org}/feedback`, `/api/v1/orgs/${s.org}/tree`, `/members/${rnd(MEMBERS)}`, `/orgs/${s.org}/dashboard`]);
    count('staff', (await req('GET', path, { cookie: s.cookie })).status);
  }],
  [10, async () => count('feedback', (await req('POST', '/api/v1/public/feedback', { from: nextAddr(),
    body: { kind: pick(['opinion', 'suggestion', 'complaint']), text: `小区路灯坏了很久，请尽快修理（${Math.random().toString(36).slice(2)}）`, channel: 'web' } })).status)],
];
const total = ACTIONS.reduce((a, [w]) => a + w, 0);
const action = () => { let x = Math.random() * total; for (const [w, f] of ACTIONS) { if ((x -= w) < 0) return f; } return ACTIONS[0][1]; };

const ready = mem();
console.log(`idle: RSS ${idle.rss.toFixed(1)} MB (VmHWM ${idle.hwm.toFixed(1)} MB); after ${staff.length} staff logins: RSS ${ready.rss.toFixed(1)} MB (VmHWM ${ready.hwm.toFixed(1)} MB)`);
const t0 = Date.now(), end = t0 + SECS * 1000;
const samples = [];
let done = 0, lo = Infinity, hi = 0;
// RSS read every 100 ms; each sample keeps the lowest and highest of its window: the lowest (the
// floor, what stays between transient allocations such as a login's 64 MiB argon2id) shows growth
const fast = setInterval(() => { const m = mem(); lo = Math.min(lo, m.rss); hi = Math.max(hi, m.rss); }, 100);
const sampler = setInterval(() => {
  const m = mem(), t = (Date.now() - t0) / 1000;
  lo = Math.min(lo, m.rss); hi = Math.max(hi, m.rss);
  samples.push({ t, rss: lo, hi, hwm: m.hwm });
  console.log(`t=${t.toFixed(0).padStart(4)} s  RSS floor ${lo.toFixed(1)} MB, high ${hi.toFixed(1)} MB  VmHWM ${m.hwm.toFixed(1)} MB  requests ${done}`);
  lo = Infinity; hi = 0;
}, SAMPLE * 1000);
await Promise.all(Array.from({ length: CONC }, async () => {
  while (Date.now() < end) { await action()(); done++; }
}));
clearInterval(sampler);
clearInterval(fast);
const last = mem();
// least-squares slope of the RSS floor over the second half, MB per minute
const half = samples.filter((s) => s.t >= SECS / 2);
const n = half.length, mt = half.reduce((a, s) => a + s.t, 0) / n, mr = half.reduce((a, s) => a + s.rss, 0) / n;
const slope = half.reduce((a, s) => a + (s.t - mt) * (s.rss - mr), 0) / (half.reduce((a, s) => a + (s.t - mt) ** 2, 0) || 1) * 60;
console.log('answers:', Object.entries(counts).sort().map(([k, v]) => `${k}: ${v}`).join(', '));
const floorEnd = samples.length ? samples[samples.length - 1].rss : last.rss;
agent.destroy();
await new Promise((r) => setTimeout(r, 3000)); // idle again: what the load left behind
const after = mem();
console.log(`rss: idle ${idle.rss.toFixed(1)} MB, peak ${last.hwm.toFixed(1)} MB (VmHWM), floor at the end ${floorEnd.toFixed(1)} MB, ` +
  `end ${last.rss.toFixed(1)} MB, 3 s after ${after.rss.toFixed(1)} MB, second-half floor trend ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MB/min over ${n} samples; ${done} requests in ${SECS} s, ${CONC} clients  ` +
  `|  limit (P5): idle <= 32 MB, under load <= 128 MB`);

// backup.test.mjs: `cxzy backup` and `cxzy restore` as an operator would use them. On SQLite: a
// backup taken while the server keeps writing is complete and consistent (the restored copy passes
// `audit verify` and `recount`, and holds what was written before the backup); a restore never
// replaces a database with data unless told to, and never pairs a backup with another key. On
// PostgreSQL both commands refuse and point to pg_dump / pg_restore.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startServerOn, loginAs, cliDb, BACKEND, BIN, KEY, daysFromToday } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const dir = process.env.CXZY_TEST_DIR || '/tmp';
const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

test('on PostgreSQL, backup and restore refuse and point to pg_dump; on SQLite they run', () => {
  if (BACKEND !== 'pg') { // the SQLite path: the test below takes and restores a real backup
    assert.equal(srv.cli(['backup', '--help']).status, 0);
    return;
  }
  const b = srv.cli(['backup', '-o', join(dir, `pg-${tag}.bak`)]);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /pg_dump/);
  const r = srv.cli(['restore', join(dir, `pg-${tag}.bak`)]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /pg_restore/);
});

test('a backup taken while the server writes restores whole: audit verify and recount pass on the copy', async () => {
  if (BACKEND === 'pg') return; // PostgreSQL is backed up with pg_dump (the test above)
  const member = await loginAs(srv.base, 'member');
  const made = [];
  // writes before the backup: pledges the restored copy must hold
  for (let i = 0; i < 5; i++) {
    const r = await member.post('/api/v1/pledges', { area: '服务群众', title: `备份前的承诺 ${i}`, content: '每周走访。', measures: '周六上门。',
      responsible: '本人', due_date: daysFromToday(30) });
    assert.equal(r.status, 201, r.text);
    made.push(r.json.pledge.title);
  }
  // … and writes while it runs (the backup runs as its own process, so this event loop goes on)
  let writing = true, n = 0, started;
  const going = new Promise((resolve) => { started = resolve; });
  const load = (async () => {
    while (writing && n < 500) {
      if (n === 3) started();
      const r = await member.post('/api/v1/pledges', { area: '服务群众', title: `备份时的承诺 ${n++}`, content: '每周走访。', measures: '周六上门。',
        responsible: '本人', due_date: daysFromToday(30) });
      assert.equal(r.status, 201, r.text);
    }
    started();
  })();
  await going;
  const file = join(dir, `cx-${tag}.bak`);
  const b = await new Promise((resolve) => {
    const p = spawn(BIN, ['backup', '-o', file], { env: { ...process.env, CXZY_DB: srv.db, CXZY_KEY: KEY } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  writing = false;
  await load;
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /已备份到/);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the backup is readable by its owner only');
  assert.equal(srv.cli(['backup', '-o', file]).status, 2, 'an existing backup file is not overwritten');

  // restore into a new database, with the same key
  const db2 = join(dir, `restored-${tag}.db`);
  const r = cliDb(db2, ['restore', file]);
  assert.equal(r.status, 0, r.stderr);
  for (const args of [['audit', 'verify'], ['recount', '--round', '1']]) {
    const v = cliDb(db2, args);
    assert.equal(v.status, 0, `${args.join(' ')}: ${v.stdout}${v.stderr}`);
  }
  const exported = cliDb(db2, ['export', '--org', '1', '--format', 'csv', '-o', join(dir, `roster-${tag}.csv`)]);
  assert.equal(exported.status, 0, exported.stderr);
  const restored = await startServerOn({ db: db2, demo: false });
  try {
    const m2 = await loginAs(restored.base, 'member');
    const mine = JSON.stringify((await m2.get('/api/v1/me/pledges')).json);
    for (const t of made) assert.ok(mine.includes(t), `the restored copy holds ${t}`);
  } finally {
    await restored.stop();
  }

  // a database with data is not replaced unless told to; a backup is never paired with another key
  const again = cliDb(db2, ['restore', file]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /已有数据/);
  assert.equal(cliDb(db2, ['restore', '--force', file]).status, 0);
  const otherKey = join(dir, `other-${tag}.key`);
  writeFileSync(otherKey, '07'.repeat(32) + '\n', { mode: 0o600 });
  const wrong = cliDb(join(dir, `wrongkey-${tag}.db`), ['restore', '--key', otherKey, file]);
  assert.equal(wrong.status, 3, wrong.stderr);
  assert.match(wrong.stderr, /不匹配/);
  assert.ok(!existsSync(join(dir, `wrongkey-${tag}.db`)) || cliDb(join(dir, `wrongkey-${tag}.db`), ['audit', 'verify']).status !== 0);
  // a damaged backup is refused before anything is written
  const bad = join(dir, `bad-${tag}.bak`);
  writeFileSync(bad, 'SQLite format 3\0 this is no database');
  const broken = cliDb(join(dir, `fromcorrupt-${tag}.db`), ['restore', bad]);
  assert.equal(broken.status, 3, broken.stderr);
  assert.ok(!existsSync(join(dir, `fromcorrupt-${tag}.db`)), 'nothing was made');
  assert.ok(KEY);
});

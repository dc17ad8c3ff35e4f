// keycheck.test.mjs: the key file that goes with a database, as a careless operator meets it.
// `cxzy init` run from another directory (PostgreSQL's default key path is relative) or with a
// key file that is not the database's: every command and the server refuse it with exit code 3
// and a message naming the key file, and never create a key for a database that has data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, KEY, freshDb, cliDb, sqlOn } from '../lib.mjs';

const dir = mkdtempSync(join(process.env.CXZY_TEST_DIR || '/tmp', 'keys-'));
/** The binary with an explicit --key (and the database in CXZY_DB), from cwd. */
function run(db, key, args, cwd = dir) {
  const env = { ...process.env, CXZY_DB: db };
  delete env.CXZY_KEY;
  const r = spawnSync(BIN, [...args, ...(key ? ['--key', key] : [])], { encoding: 'utf8', env, cwd, timeout: 60000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const db = freshDb('keys');
assert.equal(cliDb(db, ['demo', '--members', '20']).status, 0); // made with the harness's KEY

test('a mistyped database path: every command but init and demo refuses it and creates nothing', () => {
  const typo = join(dir, 'typo', 'cxzy.db');
  for (const args of [['export', '--org', '1', '-o', join(dir, 'x.xlsx')], ['user', 'list'], ['audit', 'verify'], ['config', 'get', 'public-url'],
    ['recount', '--round', '1'], ['escalate'], ['backup', '-o', join(dir, 'b.db')], ['serve', '--listen', '127.0.0.1:1'], ['migrate']]) {
    const r = run(typo, KEY, args);
    assert.ok(r.status === 1 || r.status === 3, `${args[0]}: exit ${r.status}: ${r.err}`);
    assert.match(r.err, /数据库文件 .*typo\/cxzy\.db 不存在/, `${args[0]}: ${r.err}`);
    assert.ok(!existsSync(typo) && !existsSync(join(dir, 'typo')), `${args[0]} left nothing behind`);
  }
  // in a directory that exists, too: migrate used to make an empty database there
  const near = join(dir, `typo-${process.pid}.db`);
  const r = run(near, KEY, ['migrate']);
  assert.equal(r.status, 1, r.err);
  assert.match(r.err, /数据库文件 .* 不存在/);
  assert.ok(!existsSync(near), 'migrate left no file behind');
});

test('a command given a missing key file on a database with data: exit 3, names the file, creates no key', () => {
  const missing = join(dir, 'elsewhere', 'cxzy.key');
  for (const args of [['init'], ['audit', 'verify'], ['serve', '--listen', '127.0.0.1:1']]) {
    const r = run(db, missing, args);
    assert.equal(r.status, 3, `${args[0]}: ${r.err}`);
    assert.ok(r.err.includes(missing) && r.err.includes('不会为已有数据的数据库新建密钥'), r.err);
    assert.ok(!existsSync(missing), 'no key was made');
  }
  // PostgreSQL's default (data/cxzy.key) is relative to the directory: from another one, refused
  if (/^postgres/.test(db)) {
    const r = run(db, null, ['init']);
    assert.equal(r.status, 3, r.err);
    assert.ok(r.err.includes(join(dir, 'data/cxzy.key')), r.err);
    assert.ok(!existsSync(join(dir, 'data/cxzy.key')));
  }
});

test('another database\'s key: every command and the server refuse it (exit 3), the right key works', () => {
  const other = join(dir, 'other.key');
  const db2 = freshDb('keys2');
  assert.equal(run(db2, other, ['demo', '--members', '5']).status, 0); // makes other.key
  for (const args of [['audit', 'verify'], ['init'], ['recount', '--round', '1'], ['serve', '--listen', '127.0.0.1:1'], ['demo', '--members', '5']]) {
    const r = run(db, other, args);
    assert.equal(r.status, 3, `${args[0]}: ${r.err}`);
    assert.ok(r.err.includes(other) && r.err.includes('与此数据库不匹配'), r.err);
  }
  assert.equal(run(db, KEY, ['audit', 'verify']).status, 0);
});

test('a database from before the key check (no stored value): a wrong key is found out by decrypting, the right one is recorded', () => {
  const other = join(dir, 'other3.key');
  assert.equal(run(freshDb('keys3'), other, ['demo', '--members', '5']).status, 0);
  sqlOn(db, 'DELETE FROM key_check');
  const r = run(db, other, ['audit', 'verify']);
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /与此数据库不匹配/);
  assert.equal(sqlOn(db, 'SELECT count(*) FROM key_check'), '0', 'the wrong key was not recorded');
  assert.equal(run(db, KEY, ['audit', 'verify']).status, 0);
  assert.equal(sqlOn(db, 'SELECT count(*) FROM key_check'), '1');
  assert.equal(run(db, other, ['audit', 'verify']).status, 3);
});

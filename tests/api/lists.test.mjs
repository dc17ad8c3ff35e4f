// lists.test.mjs: every long list pages the same way (src/web/pager.c, templates/pager.html):
// the API answers paging {page, per_page, total, pages, prev, next}; the page shows 共 N 条, 上一页,
// page numbers and 下一页 that keep the list's filters; a page past the last is the last page; a
// page or per_page that is not a number in range is refused naming the field. Rows are generated
// here (straight into the database) so that each list is longer than a page, and the last row is
// reached only by following the links.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, sqlOn, daysFromToday } from '../lib.mjs';

const srv = await startServerOn({ members: 60 });
after(() => srv.stop());
const [office, secretary] = await Promise.all(['office', 'secretary'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const series = (n) => `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${n}) `;

/** Follows paging.next through the API; returns every row seen and the paging of the first page. */
async function walkApi(path, key) {
  const sep = path.includes('?') ? '&' : '?';
  let r = await office.get(`${path}${sep}page=1`);
  assert.equal(r.status, 200, r.text);
  const first = r.json.paging, rows = [...r.json[key]];
  for (let guard = 0; r.json.paging.next; guard++) {
    assert.ok(guard < 100, 'paging.next never ends');
    assert.equal(r.json[key].length, r.json.paging.per_page, 'a page before the last is full');
    r = await office.get(`${path}${sep}page=${r.json.paging.next}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.paging.total, first.total);
    rows.push(...r.json[key]);
  }
  assert.equal(r.json.paging.page, first.pages);
  return { first, rows };
}

const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
/** Follows 下一页 on the HTML page; returns the pages' text. */
async function walkHtml(path) {
  const pages = [];
  let href = path;
  for (let guard = 0; href; guard++) {
    assert.ok(guard < 100, '下一页 never ends');
    const r = await office.get(href);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    pages.push(r.text);
    const m = r.text.match(/<a href="([^"]+)" rel="next">下一页<\/a>/);
    href = m ? unescape(m[1]) : null;
  }
  return pages;
}

test('pledges: more than a page; the total, the links and the API reach the last row, filters kept', async () => {
  const n = 123;
  sql(`${series(n)}INSERT INTO pledge (org_id, campaign_id, area, title, content, measures, responsible, due_date, status, created_at, updated_at) ` +
    `SELECT ${branch}, (SELECT MAX(id) FROM campaign), '服务群众', 'zz-生成-' || n, '内容', '措施', '本人', '2099-12-31', 'in_progress', 1, 1 FROM g`);
  const total = Number(sql(`SELECT COUNT(*) FROM pledge WHERE org_id = ${branch} AND status = 'in_progress'`));
  assert.ok(total >= n);
  const lastTitle = `zz-生成-${n}`;
  // API
  const { first, rows } = await walkApi(`/api/v1/orgs/${branch}/pledges?status=in_progress&per_page=50`, 'pledges');
  assert.equal(first.total, total);
  assert.equal(first.pages, Math.ceil(total / 50));
  assert.equal(rows.length, total, 'every row once');
  assert.equal(new Set(rows.map((p) => p.id)).size, total);
  assert.equal(rows.at(-1).title, lastTitle);
  // HTML: 共 N 条 on the first page, the last row reached by 下一页, the status filter kept
  const pages = await walkHtml(`/orgs/${branch}/pledges?status=in_progress`);
  assert.match(pages[0], new RegExp(`共 ${total} 条，第 1 / ${Math.ceil(total / 50)} 页`));
  assert.equal(pages.length, Math.ceil(total / 50));
  assert.ok(pages.at(-1).includes(lastTitle), 'the last row is on the last page');
  assert.ok(!pages.slice(0, -1).some((p) => p.includes(lastTitle)));
  assert.match(pages[0], /href="\/orgs\/\d+\/pledges\?status=in_progress&amp;page=2" rel="next"/);
  assert.match(pages[1], /rel="prev">上一页/);
  assert.match(pages.at(-1), new RegExp(`<strong aria-current="page">${pages.length}</strong>`));
  // a page past the last is the last page; nonsense is refused, naming the field
  const far = await office.get(`/api/v1/orgs/${branch}/pledges?status=in_progress&page=999`);
  assert.equal(far.status, 200);
  assert.equal(far.json.paging.page, first.pages);
  assert.equal(far.json.pledges.at(-1).title, lastTitle);
  expectError(await office.get(`/api/v1/orgs/${branch}/pledges?page=abc`), 400, 'invalid_query', 'page');
  expectError(await office.get(`/api/v1/orgs/${branch}/pledges?page=0`), 400, 'invalid_query', 'page');
  expectError(await office.get(`/api/v1/orgs/${branch}/pledges?per_page=100000`), 400, 'invalid_query', 'per_page');
  const bad = await office.get(`/orgs/${branch}/pledges?page=-1`);
  assert.equal(bad.status, 400);
  assert.match(bad.text, /页码 page 应为 1 到/);
});

test('audit log: no longer stops at the newest 200; every record reachable, on the page and in the API', async () => {
  const n = 450;
  // rows behind the server's back (the chain does not matter to the list)
  sql(`${series(n)}INSERT INTO audit_log (seq, ts, actor, action, entity, entity_id, org_id, result, prev_hash, hash) ` +
    `SELECT -n, 1, '生成', 'zz.generated', 'org', n, ${rootId}, 'ok', '', '' FROM g`);
  const total = Number(sql(`SELECT COUNT(*) FROM audit_log a JOIN org o ON o.id = a.org_id WHERE o.path LIKE (SELECT path FROM org WHERE id = ${rootId}) || '%'`));
  assert.ok(total > 400);
  const { first, rows } = await walkApi(`/api/v1/orgs/${rootId}/audit?per_page=200`, 'records');
  assert.equal(first.total, total);
  assert.equal(rows.length, total);
  assert.equal(rows.at(-1).seq, -n, 'the oldest record is the last row');
  const pages = await walkHtml(`/orgs/${rootId}/audit`);
  assert.match(pages[0], new RegExp(`共 ${total} 条`));
  assert.equal(pages.length, Math.ceil(total / 200));
  assert.match(pages.at(-1), new RegExp(`<td>${-n}</td>`));
  // a branch's log holds its own records (the subtree bounds are bound for the whole query)
  const own = Number(sql(`SELECT COUNT(*) FROM audit_log a JOIN org o ON o.id = a.org_id WHERE o.path LIKE (SELECT path FROM org WHERE id = ${branch}) || '%'`));
  assert.ok(own > 0);
  const b = await office.get(`/api/v1/orgs/${branch}/audit`);
  assert.equal(b.json.paging.total, own);
  assert.equal(b.json.records.length, Math.min(own, 200));
});

test('members: the shared pager on the organisation page keeps the search and subtree filters', async () => {
  const { first, rows } = await walkApi(`/api/v1/orgs/${rootId}/members?subtree=1&per_page=7`, 'members');
  assert.ok(first.total > 14);
  assert.equal(rows.length, first.total);
  const pages = await walkHtml(`/orgs/${rootId}?subtree=1&per_page=7`);
  assert.equal(pages.length, first.pages);
  assert.match(pages[0], /href="\/orgs\/\d+\?subtree=1&amp;per_page=7&amp;page=2" rel="next"/);
  assert.match(pages[0], new RegExp(`共 ${first.total} 条`));
});

test('board and its print view: 岗位 is the member\'s post, not the pledge area; overdue pledges say 逾期', async () => {
  const org = Number(sql(`SELECT id FROM org WHERE type = 'branch' AND active = 1 AND id <> ${branch} ORDER BY id LIMIT 1`));
  const m = Number(sql(`SELECT id FROM member WHERE org_id = ${org} AND active = 1 ORDER BY id LIMIT 1`));
  sql(`UPDATE member SET post = '村委会会计', version = version + 1 WHERE id = ${m}`);
  sql(`INSERT INTO pledge (org_id, member_id, campaign_id, area, title, content, measures, responsible, due_date, status, created_at, updated_at) ` +
    `VALUES (${org}, ${m}, (SELECT MAX(id) FROM campaign), '乡村振兴', '过期未完成的承诺', '内容', '措施', '本人', '2020-01-31', 'in_progress', 1, 1)`);
  sql(`INSERT INTO pledge (org_id, member_id, campaign_id, area, title, content, measures, responsible, due_date, status, created_at, updated_at) ` +
    `VALUES (${org}, ${m}, (SELECT MAX(id) FROM campaign), '服务群众', '按期进行的承诺', '内容', '措施', '本人', '2099-01-31', 'in_progress', 1, 1)`);
  const print = await office.get(`/p/board/${org}/print`);
  assert.equal(print.status, 200, print.text.slice(0, 300));
  const row = (title) => print.text.match(new RegExp(`<tr[^>]*>(?:(?!</tr>).)*${title}(?:(?!</tr>).)*</tr>`, 's'))?.[0];
  const late = row('过期未完成的承诺'), onTime = row('按期进行的承诺');
  assert.ok(late && onTime, 'both pledges printed');
  const cells = (tr) => [...tr.matchAll(/<td>(.*?)<\/td>/gs)].map((x) => x[1]);
  assert.match(print.text, /<th>姓名<\/th><th>岗位<\/th><th>承诺领域<\/th>/);
  assert.equal(cells(late)[1], '村委会会计', '岗位 is the post from the member record');
  assert.equal(cells(late)[2], '乡村振兴');
  assert.match(late, /逾期/);
  assert.doesNotMatch(onTime, /逾期/);
  const board = await office.get(`/p/board/${org}`);
  const li = board.text.match(/<li[^>]*>(?:(?!<\/li>).)*过期未完成的承诺(?:(?!<\/li>).)*<\/li>/s)[0];
  assert.match(li, /逾期/);
  assert.match(li, /村委会会计/);
  assert.doesNotMatch(board.text.match(/<li[^>]*>(?:(?!<\/li>).)*按期进行的承诺(?:(?!<\/li>).)*<\/li>/s)[0], /逾期/);
  const api = await office.get(`/api/v1/public/boards/${org}`);
  const p = api.json.board.member_pledges.find((x) => x.title === '过期未完成的承诺');
  assert.equal(p.overdue, true);
  assert.equal(p.member_post, '村委会会计');
});

test('the board is never cut short: every public pledge of the organisation is on it', async () => {
  // the first test gave `branch` more than 120 organisation pledges
  const n = Number(sql(`SELECT COUNT(*) FROM pledge WHERE org_id = ${branch} AND member_id IS NULL AND status = 'in_progress'`));
  assert.ok(n > 100);
  const api = await office.get(`/api/v1/public/boards/${branch}`);
  assert.equal(api.json.board.org_pledges.length, n);
});

test('progress entries and records name the person: the member\'s own name, the display name — not the login name', async () => {
  const member = await loginAs(srv.base, 'member');
  const memberName = sql(`SELECT name FROM member WHERE id = ${member.user.member_id}`);
  assert.ok(memberName && memberName !== 'member');
  const p = (await member.post('/api/v1/pledges', { area: '服务群众', title: '为孤寡老人代购', content: '每周代购一次。', measures: '每周六上门。',
    responsible: '本人', due_date: '2099-06-30' })).json.pledge;
  assert.equal((await member.post(`/api/v1/pledges/${p.id}/submit`)).status, 200);
  assert.equal((await secretary.post(`/api/v1/pledges/${p.id}/approve`)).status, 200);
  const form = new FormData();
  form.set('date', new Date().toISOString().slice(0, 10));
  form.set('text', '本周代购一次。');
  form.set('percent', '20');
  const r = await member.post(`/api/v1/pledges/${p.id}/progress`, form);
  assert.ok(r.status < 300, r.text);
  const entry = (await member.get(`/api/v1/pledges/${p.id}`)).json.progress[0];
  assert.equal(entry.author, memberName, 'the progress entry names the member');
  assert.match((await member.get(`/pledges/${p.id}`)).text, new RegExp(`${memberName}</div>`));
  // a rectification's steps: the secretary's display name, not "secretary"
  const display = sql(`SELECT display_name FROM app_user WHERE username = 'secretary'`);
  const rc = await secretary.post(`/api/v1/orgs/${branch}/rectifications`, { source: 'inspection', problem: '会议记录不全', measure: '补齐记录。',
    owner: '王书记', due_date: daysFromToday(30) });
  assert.equal(rc.status, 201, rc.text);
  const item = (await secretary.get(`/api/v1/rectifications/${rc.json.rectification.id}`)).json;
  const actors = JSON.stringify(item);
  assert.ok(actors.includes(display), 'the display name is recorded');
  assert.ok(!/"(actor|created_by_name|author)":"secretary"/.test(actors), actors.slice(0, 400));
});

test('paper batches and phone draws: the API lists page past 500 instead of stopping there', async () => {
  const n = 520;
  sql(`${series(n)}INSERT INTO paper_batch (round_id, target_kind, target_id, org_id, questions, issued, note, created_by, created_at) ` +
    `SELECT (SELECT MAX(id) FROM review_round), 'org', ${rootId}, ${rootId}, 'party3', 10, 'gen-' || n, 1, 1 FROM g`);
  const round = Number(sql(`SELECT MAX(id) FROM review_round`));
  const total = Number(sql(`SELECT COUNT(*) FROM paper_batch WHERE round_id = ${round}`));
  assert.ok(total > 500);
  const { first, rows } = await walkApi(`/api/v1/orgs/${rootId}/paper-batches?round_id=${round}&per_page=200`, 'batches');
  assert.equal(first.total, total);
  assert.equal(rows.length, total);
  assert.equal(new Set(rows.map((b) => b.id)).size, total);
  expectError(await office.get(`/api/v1/orgs/${rootId}/paper-batches?per_page=501`), 400, 'invalid_query', 'per_page');
  const draws = await office.get(`/api/v1/orgs/${rootId}/phone-draws?round_id=${round}&per_page=5`);
  assert.equal(draws.status, 200, draws.text);
  assert.equal(draws.json.paging.per_page, 5);
  assert.equal(draws.json.paging.total, Number(sql(`SELECT COUNT(*) FROM phone_draw WHERE round_id = ${round}`)));
});

test('rounds and ballot bursts page too (were cut at 200 and 500)', async () => {
  const round = Number(sql(`SELECT MAX(id) FROM review_round`));
  sql(`${series(230)}INSERT INTO review_round (campaign_id, org_id, name, period_start, period_end, questions, status, created_at) ` +
    `SELECT (SELECT MAX(id) FROM campaign), ${rootId}, '往年轮次 ' || n, '2001-01-01', '2001-06-30', 'party3', 'closed', 1 FROM g`);
  const rounds = Number(sql(`SELECT COUNT(*) FROM review_round`));
  const r = await walkApi(`/api/v1/orgs/${rootId}/rounds?per_page=100`, 'rounds');
  assert.equal(r.first.total, rounds);
  assert.equal(r.rows.length, rounds);
  const pages = await walkHtml(`/orgs/${rootId}/rounds`);
  assert.equal(pages.length, Math.ceil(rounds / 50));
  assert.match(pages[0], new RegExp(`共 ${rounds} 条`));
  sql(`${series(510)}INSERT INTO ballot_burst (round_id, target_kind, target_id, org_id, reason, net, window_start, window_len, state, created_at) ` +
    `SELECT ${round}, 'org', ${rootId}, ${rootId}, 'target', '', n, 600, 'released', 1 FROM g`);
  const bursts = Number(sql(`SELECT COUNT(*) FROM ballot_burst WHERE round_id = ${round}`));
  const b = await walkApi(`/api/v1/orgs/${rootId}/ballot-bursts?round_id=${round}&per_page=200`, 'bursts');
  assert.equal(b.first.total, bursts);
  assert.equal(b.rows.length, bursts);
  const bp = await walkHtml(`/orgs/${rootId}/ballot-bursts?round_id=${round}&state=released`);
  assert.equal(bp.length, Math.ceil(bursts / 50));
});

test('leader charges and the coverage page page too (were cut at 2000 and 1000)', async () => {
  const round = Number(sql(`SELECT MIN(id) FROM review_round WHERE status = 'open'`));
  sql(`INSERT INTO leader_charge (round_id, user_id, target_kind, target_id, org_id, created_at) ` +
    `SELECT ${round}, u.id, 'member', m.id, m.org_id, 1 FROM member m, app_user u WHERE u.username IN ('office', 'town') ON CONFLICT DO NOTHING`);
  const total = Number(sql(`SELECT COUNT(*) FROM leader_charge c JOIN org o ON o.id = c.org_id WHERE c.round_id = ${round} ` +
    `AND o.path LIKE (SELECT path FROM org WHERE id = ${rootId}) || '%'`));
  assert.ok(total > 100, `${total}`);
  const c = await walkApi(`/api/v1/orgs/${rootId}/charges?round_id=${round}&per_page=40`, 'charges');
  assert.equal(c.first.total, total);
  assert.equal(c.rows.length, total);
  const pages = await walkHtml(`/orgs/${rootId}/charges?round_id=${round}`);
  assert.equal(pages.length, Math.ceil(total / 100));
  const cov = await walkApi(`/api/v1/orgs/${rootId}/coverage?round_id=${round}&per_page=50`, 'pending');
  assert.equal(cov.rows.length, cov.first.total);
  assert.ok(cov.first.total > 50);
});

test('every paged page draws the same pager: 共 N 条, page links that keep the filters, the same numbers as its API', async () => {
  const checked = [];
  for (const problem of ['台账不全', '公示不及时']) {
    const r = await secretary.post(`/api/v1/orgs/${branch}/rectifications`, { source: 'inspection', problem, measure: '补齐。', owner: '王书记', due_date: daysFromToday(20) });
    assert.equal(r.status, 201, r.text);
  }
  for (const [page, api, key] of [
    [`/orgs/${rootId}/feedback?view=all&per_page=1`, `/api/v1/orgs/${rootId}/feedback?view=all&per_page=1`, 'items'],
    [`/orgs/${rootId}/rectifications?per_page=1`, `/api/v1/orgs/${rootId}/rectifications?per_page=1`, 'rectifications'],
    [`/orgs/${rootId}/grades?per_page=1`, `/api/v1/orgs/${rootId}/grades?per_page=1`, 'grades'],
    [`/orgs/${rootId}?subtree=1&per_page=1`, `/api/v1/orgs/${rootId}/members?subtree=1&per_page=1`, 'members'],
  ]) {
    const a = await office.get(api);
    assert.equal(a.status, 200, `${api}: ${a.text.slice(0, 200)}`);
    const { total, pages } = a.json.paging;
    assert.equal(a.json[key].length, Math.min(1, total), api);
    if (total < 2) continue;
    const p = await office.get(page);
    assert.equal(p.status, 200, page);
    assert.match(p.text, new RegExp(`共 ${total} 条，第 1 / ${pages} 页`), page);
    const next = p.text.match(/<a href="([^"]+)" rel="next">下一页<\/a>/);
    assert.ok(next, `${page}: 下一页`);
    assert.ok(unescape(next[1]).includes('per_page=1') && unescape(next[1]).endsWith('page=2'), next[1]);
    const last = await office.get(page.replace(/per_page=1/, `per_page=1&page=${pages}`));
    assert.match(last.text, new RegExp(`<strong aria-current="page">${pages}</strong>`), page);
    assert.doesNotMatch(last.text, /rel="next"/);
    checked.push(key);
  }
  assert.deepEqual(checked, ['items', 'rectifications', 'grades', 'members'], 'every list had more than one page');
});

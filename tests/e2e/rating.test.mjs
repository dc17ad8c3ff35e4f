// rating.test.mjs: public rating (群众评议) in a real Chromium at a phone's size, on this file's own
// demo database with a round the office opens: a resident scans the QR code on a member's desk
// sign (the SVG is decoded here, module by module, and its URL opened), follows 评价 on the card,
// answers 满意 to every question, verifies the phone number by its SMS code (without it the
// ballot would be only the unverified indicator) and submits; a second rating from the same phone
// (the same browser, its device cookie) is refused with the message shown; the secretary then sees
// the ballot counted (and the refused one as invalid) on the branch's rating pages. axe-core runs
// on the rating form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, PASSWORD, loginAs, launchChromium, axeCheck, smsCode } from '../lib.mjs';

const PHONE = { width: 390, height: 844 };
const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

// ---- A QR decoder for the server's clean SVG (no damage, so no error correction is needed). ----

/** The module matrix of an SVG made by lib/qr.c: runs "Mx yhNv1h-Nz" inside a 4-module quiet zone. */
function svgModules(svg) {
  const size = Number(svg.match(/viewBox="0 0 (\d+) \d+"/)[1]);
  const n = size - 8;
  const m = Array.from({ length: n }, () => Array(n).fill(0));
  for (const [, x, y, run] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g))
    for (let k = 0; k < Number(run); k++) m[Number(y) - 4][Number(x) - 4 + k] = 1;
  return m;
}

/** Decodes a QR symbol (versions 1–9, byte mode) from its module matrix m[row][column]. */
function qrDecode(m) {
  const n = m.length, ver = (n - 17) / 4;
  assert.ok(Number.isInteger(ver) && ver >= 1 && ver <= 9, `QR version ${ver}`);
  // format information, first copy (around the top-left finder), bit i at the ISO positions
  const fpos = [[0, 8], [1, 8], [2, 8], [3, 8], [4, 8], [5, 8], [7, 8], [8, 8], [8, 7], [8, 5], [8, 4], [8, 3], [8, 2], [8, 1], [8, 0]];
  let bits = 0;
  fpos.forEach(([y, x], i) => { bits |= m[y][x] << i; });
  const fmt = (bits ^ 0x5412) >> 10, ecl = fmt >> 3, mask = fmt & 7;
  assert.equal(ecl, 0, 'the server makes level M codes');
  // which modules carry data
  const fn = Array.from({ length: n }, () => Array(n).fill(false));
  const mark = (y0, x0, h, w) => { for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if (y >= 0 && x >= 0 && y < n && x < n) fn[y][x] = true; };
  mark(0, 0, 9, 9); mark(0, n - 8, 9, 8); mark(n - 8, 0, 8, 9); mark(6, 0, 1, n); mark(0, 6, n, 1);
  if (ver >= 2) {
    const na = Math.floor(ver / 7) + 2, step = Math.ceil((ver * 4 + 4) / (na * 2 - 2)) * 2, pos = [6];
    for (let p = n - 7; pos.length < na; p -= step) pos.splice(1, 0, p);
    for (const y of pos) for (const x of pos) if (!((y === 6 && x === 6) || (y === 6 && x === n - 7) || (y === n - 7 && x === 6))) mark(y - 2, x - 2, 5, 5);
  }
  if (ver >= 7) { mark(0, n - 11, 6, 3); mark(n - 11, 0, 3, 6); }
  const masks = [(x, y) => (x + y) % 2 === 0, (x, y) => y % 2 === 0, (x) => x % 3 === 0, (x, y) => (x + y) % 3 === 0,
    (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0, (x, y) => (x * y) % 2 + (x * y) % 3 === 0,
    (x, y) => ((x * y) % 2 + (x * y) % 3) % 2 === 0, (x, y) => ((x + y) % 2 + (x * y) % 3) % 2 === 0];
  // the zig-zag read of the codewords, two columns at a time from the right
  const stream = [];
  for (let right = n - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let v = 0; v < n; v++) for (let j = 0; j < 2; j++) {
      const x = right - j, y = ((right + 1) & 2) === 0 ? n - 1 - v : v;
      if (!fn[y][x]) stream.push(m[y][x] ^ (masks[mask](x, y) ? 1 : 0));
    }
  }
  let raw = (16 * ver + 128) * ver + 64;
  if (ver >= 2) { const na = Math.floor(ver / 7) + 2; raw -= (25 * na - 10) * na - 55; if (ver >= 7) raw -= 36; }
  const total = Math.floor(raw / 8);
  const words = Array.from({ length: total }, (_, i) => stream.slice(i * 8, i * 8 + 8).reduce((a, b) => (a << 1) | b, 0));
  // de-interleave the data codewords of level M's blocks
  const ecc = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22][ver], nb = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5][ver];
  const short = nb - (total % nb), shortLen = Math.floor(total / nb) - ecc;
  const blocks = Array.from({ length: nb }, (_, b) => ({ len: shortLen + (b < short ? 0 : 1), data: [] }));
  let k = 0;
  for (let i = 0; i < shortLen + 1; i++) for (const b of blocks) if (i < b.len) b.data.push(words[k++]);
  const data = blocks.flatMap((b) => b.data);
  const bitsOf = data.flatMap((w) => Array.from({ length: 8 }, (_, i) => (w >> (7 - i)) & 1));
  let p = 0;
  const take = (len) => { let v = 0; for (let i = 0; i < len; i++) v = (v << 1) | bitsOf[p++]; return v; };
  // segments (libqrencode mixes modes): numeric, alphanumeric and byte, up to the terminator
  const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  const out = [];
  for (;;) {
    const mode = p + 4 <= bitsOf.length ? take(4) : 0;
    if (mode === 0) break;
    if (mode === 1) { // numeric: three digits in 10 bits
      let c = take(10);
      for (; c >= 3; c -= 3) out.push(...Buffer.from(String(take(10)).padStart(3, '0')));
      if (c === 2) out.push(...Buffer.from(String(take(7)).padStart(2, '0')));
      if (c === 1) out.push(...Buffer.from(String(take(4))));
    } else if (mode === 2) { // alphanumeric: two characters in 11 bits
      let c = take(9);
      for (; c >= 2; c -= 2) { const v = take(11); out.push(ALNUM.charCodeAt(Math.floor(v / 45)), ALNUM.charCodeAt(v % 45)); }
      if (c === 1) out.push(ALNUM.charCodeAt(take(6)));
    } else if (mode === 4) { // bytes
      for (let c = take(8); c > 0; c--) out.push(take(8));
    } else throw new Error(`QR mode ${mode} not supported here`);
  }
  return Buffer.from(out).toString('utf8');
}

async function phoneContext() {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

test('scan a member\'s QR code, rate 满意, a second rating is refused, the secretary sees it counted', async () => {
  // the office opens the round (API), over the whole district
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const camp = (await office.get(`/api/v1/orgs/${root}/campaigns`)).json.campaigns[0];
  const opened = await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' });
  assert.equal(opened.status, 201, opened.text);
  const memberId = (await loginAs(srv.base, 'member')).user.member_id;

  // the resident's phone: the QR code on the desk sign, decoded
  const a = await phoneContext();
  const qr = await a.request.get(`${srv.base}/p/card/${memberId}/qr.svg`);
  assert.equal(qr.status(), 200);
  const url = qrDecode(svgModules(await qr.text()));
  assert.equal(url, `${srv.base}/p/card/${memberId}`, 'the QR code holds the card\'s address');
  const page = await a.newPage();
  assert.equal((await page.goto(url)).status(), 200);
  await Promise.all([page.waitForURL(new RegExp(`/p/rate/member/${memberId}$`)), page.getByRole('link', { name: /评价这位党员/ }).click()]);
  const legends = await page.locator('fieldset.question legend').allTextContents();
  assert.equal(legends.length, 3, legends.join(' / '));
  await axeCheck(page, 'the rating form');
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `the rating form is ${w}px wide at a ${PHONE.width}px viewport`);
  const rateAll = async (verify) => {
    for (const fs of await page.locator('fieldset.question').all()) await fs.getByLabel('满意', { exact: true }).check();
    await page.fill('#comment', '服务热情，办事认真');
    if (verify) { // the code is sent, the form comes back with what was entered
      await page.fill('#phone', '13712345678');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '获取验证码' }).click()]);
      assert.match(await page.locator('[role=status]').first().textContent(), /验证码已发送/);
      await page.fill('#code', await smsCode(srv, '13712345678'));
    }
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name: '提交评价' }).click()]);
  };
  await rateAll(true);
  assert.ok((await page.locator('h1').first().textContent()).includes('感谢您的评价'), await page.textContent('main'));
  assert.equal(await page.locator('[data-status]').getAttribute('data-status'), 'counted');
  assert.deepEqual(await page.locator('[role=alert]').allTextContents(), []);

  // the same phone again: refused, and the page says why
  await page.goto(`${srv.base}/p/rate/member/${memberId}`);
  await rateAll(false);
  const alert = (await page.locator('[role=alert]').allTextContents()).join(' ');
  assert.match(alert, /已经评价过/, `the refusal is shown: ${alert}`);
  assert.equal(await page.locator('[role=alert]').getAttribute('data-code'), 'duplicate_ballot');
  await a.close();

  // the secretary: the branch's rating page and the member's result
  const s = await phoneContext();
  const sp = await s.newPage();
  await sp.goto(srv.base + '/login');
  await sp.fill('#username', 'secretary');
  await sp.fill('#password', PASSWORD);
  await Promise.all([sp.waitForNavigation(), sp.click('button[type=submit]')]);
  await Promise.all([sp.waitForURL(/\/orgs\/\d+\/rating$/), sp.getByRole('link', { name: '群众评议' }).click()]);
  const row = sp.locator(`tr[data-kind=member][data-id="${memberId}"]`);
  assert.equal((await row.locator('td.valid').textContent()).trim(), '1');
  assert.equal((await row.locator('td.invalid').textContent()).trim(), '1', 'the refused repeat is counted as invalid');
  await Promise.all([sp.waitForURL(new RegExp(`/members/${memberId}/ratings$`)), row.locator('a').first().click()]);
  assert.equal((await sp.locator('#valid').textContent()).trim(), '1');
  const text = await sp.textContent('main');
  assert.ok(text.includes('服务热情，办事认真'), 'the comment is shown (as text only)');
  assert.ok(text.includes('100.00%'), 'all answers 满意: a satisfaction rate of 100%');
  await s.close();
});

// pledge.test.mjs: a public pledge in a real Chromium at a phone's size (390×844), on this file's
// own demo database: the `member` logs in, opens 我的承诺, makes a pledge and submits it; the
// `secretary` (another browser context) approves it; the member records progress with a PNG
// photo; then someone without a login scans the card's QR code: the SVG is fetched, the card it
// points to shows the pledge, 践诺中, the progress text and the photo (loaded). The desk-sign
// print view carries the QR inline. axe-core runs on the public card (serious/critical fail).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, PASSWORD, PNG_1x1, daysFromToday, launchChromium, axeCheck } from '../lib.mjs';
import { deflateSync } from 'node:zlib';

const PHONE = { width: 390, height: 844 };
const srv = await startServerOn();
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

/** A visible 24×24 PNG (a red square), so the photo has a size of its own. */
function redSquare() {
  const crcT = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xFFFFFFFF; for (const x of b) c = crcT[(c ^ x) & 0xFF] ^ (c >>> 8); return (c ^ 0xFFFFFFFF) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const W = 24, ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(W, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.concat(Array.from({ length: W }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array(W).fill([200, 30, 30]).flat())])));
  const png = Buffer.concat([PNG_1x1.subarray(0, 8), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return png;
}

async function loggedIn(username) {
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.ok(!/\/login/.test(new URL(page.url()).pathname), `${username} is logged in (at ${page.url()})`);
  return { ctx, page };
}

/** Nothing sticks out sideways at the phone's width. */
async function fitsPhone(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width + 1, `${what}: the page is ${w}px wide at a ${PHONE.width}px viewport`);
}

test('a member\'s pledge from the phone to the public card behind the QR code', async () => {
  const title = '每周为独居老人送一次菜';
  const progressText = '第一周：为 3 位独居老人送菜，已拍照登记';

  // the member makes and submits the pledge
  const m = await loggedIn('member');
  await m.page.getByRole('link', { name: '我的承诺' }).click();
  await m.page.waitForURL(/\/me\/pledges$/);
  await fitsPhone(m.page, '我的承诺');
  await Promise.all([m.page.waitForURL(/\/pledges\/new$/), m.page.getByRole('link', { name: '新建我的公开承诺' }).click()]);
  await m.page.selectOption('#area', '服务群众');
  await m.page.fill('#title', title);
  await m.page.fill('#content', '每周六为村里的独居老人送一次新鲜蔬菜。');
  await m.page.fill('#measures', '和村委会核对名单，周六上午送到家。');
  await m.page.fill('#due_date', daysFromToday(90));
  await Promise.all([m.page.waitForURL(/\/pledges\/\d+$/), m.page.getByRole('button', { name: '保存草稿' }).click()]);
  const id = Number(new URL(m.page.url()).pathname.split('/').pop());
  await assertText(m.page, 'h1', title);
  await assertText(m.page, 'h1', '草稿');
  await Promise.all([m.page.waitForURL(new RegExp(`/pledges/${id}$`)), m.page.getByRole('button', { name: '提交审核' }).click()]);
  await assertText(m.page, 'h1', '待审核');
  await fitsPhone(m.page, 'the pledge page');

  // the secretary approves it in another browser context
  const s = await loggedIn('secretary');
  await s.page.goto(`${srv.base}/pledges/${id}`);
  await Promise.all([s.page.waitForURL(new RegExp(`/pledges/${id}$`)), s.page.getByRole('button', { name: '审核通过并公开' }).click()]);
  await assertText(s.page, 'h1', '践诺中');

  // the member records progress with a photo
  await m.page.reload();
  await assertText(m.page, 'h1', '践诺中');
  await m.page.fill('#text', progressText);
  await m.page.fill('#percent', '25');
  await m.page.setInputFiles('#evidence', { name: '送菜.png', mimeType: 'image/png', buffer: redSquare() });
  await Promise.all([m.page.waitForURL(new RegExp(`/pledges/${id}(#progress)?$`)), m.page.getByRole('button', { name: '保存进展' }).click()]);
  const alert = await m.page.locator('[role=alert]').allTextContents();
  assert.deepEqual(alert, [], 'saving the progress gave an error');
  assert.ok((await m.page.textContent('body')).includes(progressText), 'the pledge page lists the progress');
  const memberId = await m.page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).user.member_id);

  // without a login: the QR code and the card it points to
  const a = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', isMobile: true, hasTouch: true });
  a.setDefaultTimeout(10_000);
  const qr = await a.request.get(`${srv.base}/p/card/${memberId}/qr.svg`);
  assert.equal(qr.status(), 200);
  assert.match(qr.headers()['content-type'], /^image\/svg\+xml/);
  const svg = await qr.text();
  assert.match(svg, /<svg[\s>]/);
  assert.match(svg, /<\/svg>\s*$/);
  const card = await a.newPage();
  const resp = await card.goto(`${srv.base}/p/card/${memberId}`); // the QR's target
  assert.equal(resp.status(), 200);
  assert.ok(!/\/login/.test(new URL(card.url()).pathname), 'the public card asks for no login');
  const box = card.locator('.pledge-box', { hasText: title });
  await box.waitFor();
  const text = await box.textContent();
  assert.ok(text.includes('践诺中'), text);
  assert.ok(text.includes(progressText), text);
  const img = box.locator('.evidence img').first();
  await img.scrollIntoViewIfNeeded(); // loading="lazy"
  await card.waitForFunction((el) => el.complete, await img.elementHandle());
  const natural = await img.evaluate((el) => el.naturalWidth);
  const src = await img.getAttribute('src'); // the photo is checked at the end, so the rest still runs
  await fitsPhone(card, 'the public card');
  await axeCheck(card, 'the public card');

  // the desk sign to print carries the QR code inline
  const print = await a.newPage();
  assert.equal((await print.goto(`${srv.base}/p/card/${memberId}/print`)).status(), 200);
  assert.equal(await print.locator('figure.qr svg, .qr svg').count() > 0, true, 'the print view has an inline QR <svg>');
  assert.ok((await print.textContent('body')).includes(`/p/card/${memberId}`), 'the print view names the card\'s address');

  await Promise.all([m.ctx.close(), s.ctx.close(), a.close()]);
  assert.ok(natural > 0, `the progress photo on the public card did not load (naturalWidth ${natural}, src ${src})`);
});

async function assertText(page, selector, want) {
  const t = await page.locator(selector).first().textContent();
  assert.ok(t.includes(want), `${selector} should contain “${want}”: “${t.trim()}”`);
}

// print.test.mjs: the desk sign (桌牌) printed by a real Chromium, on this file's own demo database.
// A branch's secretary prints all its members' signs in one go: the PDF has one A4 landscape page
// per member; on each, the upper face is turned upside down above a fold line across the middle,
// the lower face the right way up, each half the sheet, so the folded card reads from both sides.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, PASSWORD, launchChromium } from '../lib.mjs';

const srv = await startServerOn({ members: 40 });
let browser;
before(async () => { browser = await launchChromium(); });
after(async () => {
  await browser?.close();
  await srv.stop();
});

/** The pages of a PDF made by Chromium: their MediaBox sizes in points. */
function pdfPages(buf) {
  const text = buf.toString('latin1');
  const pages = [...text.matchAll(/\/Type\s*\/Page(?![s\w])[\s\S]*?\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
  return pages.map((m) => ({ w: Number(m[3]) - Number(m[1]), h: Number(m[4]) - Number(m[2]) }));
}

test('a branch prints all its members\' desk signs: one A4 landscape page each, folded in half', async () => {
  const secretary = await loginAs(srv.base, 'secretary');
  const branch = secretary.user.roles[0].org_id;
  const total = (await secretary.get(`/api/v1/orgs/${branch}/members?per_page=1`)).json.paging.total;
  assert.ok(total >= 2, `${total} members`);
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  await page.goto(srv.base + '/login');
  await page.fill('#username', 'secretary');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.goto(`${srv.base}/orgs/${branch}`);
  await Promise.all([page.waitForNavigation(), page.click('text=打印全部桌牌')]);
  assert.equal(await page.locator('.desk-fold').count(), total);
  // as printed: each sheet is 297 × 210 mm, two faces of half the height, the upper one upside down
  await page.emulateMedia({ media: 'print' });
  const geo = await page.evaluate(() => {
    const f = document.querySelector('.desk-fold');
    const [back, front] = f.querySelectorAll('.desk-face');
    const line = f.querySelector('.desk-foldline').getBoundingClientRect();
    const r = (e) => e.getBoundingClientRect();
    return { w: r(f).width, h: r(f).height, back: r(back), front: r(front), line: line.top,
      backTransform: getComputedStyle(back).transform, frontTransform: getComputedStyle(front).transform,
      lineStyle: getComputedStyle(f.querySelector('.desk-foldline')).borderTopStyle };
  });
  const mm = 96 / 25.4;
  assert.ok(Math.abs(geo.w - 297 * mm) < 2 && Math.abs(geo.h - 210 * mm) < 2, JSON.stringify(geo));
  assert.equal(geo.backTransform, 'matrix(-1, 0, 0, -1, 0, 0)', 'the upper face is turned 180°');
  assert.equal(geo.frontTransform, 'none');
  assert.equal(geo.lineStyle, 'dashed');
  assert.ok(geo.back.bottom <= geo.line + 1 && geo.front.top >= geo.line - 1, 'the fold line is between the faces');
  assert.ok(Math.abs(geo.back.height - geo.h / 2) < 4 && Math.abs(geo.front.height - geo.h / 2) < 4, 'each face is half the sheet');
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const pages = pdfPages(pdf);
  assert.equal(pages.length, total, 'one page per member');
  for (const p of pages) {
    assert.ok(Math.abs(p.w - 841.9) < 2 && Math.abs(p.h - 595.3) < 2, `A4 landscape, got ${p.w} × ${p.h}`);
  }
  await ctx.close();
});

test('one member\'s sign from the public card prints as one landscape page', async () => {
  const secretary = await loginAs(srv.base, 'secretary');
  const id = (await secretary.get(`/api/v1/orgs/${secretary.user.roles[0].org_id}/members?per_page=1`)).json.members[0].id;
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/p/card/${id}/print`);
  const pages = pdfPages(await page.pdf({ preferCSSPageSize: true }));
  assert.equal(pages.length, 1);
  assert.ok(pages[0].w > pages[0].h, 'landscape');
  await ctx.close();
});

// qr_decode.mjs: a QR decoder for the server's clean SVG codes, shared by the browser tests that
// open the address a printed code holds (rating.test.mjs, posts.test.mjs).
import assert from 'node:assert/strict';

// ---- A QR decoder for the server's clean SVG (no damage, so no error correction is needed). ----

/** The module matrix of an SVG made by lib/qr.c: runs "Mx yhNv1h-Nz" inside a 4-module quiet zone. */
export function svgModules(svg) {
  const size = Number(svg.match(/viewBox="0 0 (\d+) \d+"/)[1]);
  const n = size - 8;
  const m = Array.from({ length: n }, () => Array(n).fill(0));
  for (const [, x, y, run] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g))
    for (let k = 0; k < Number(run); k++) m[Number(y) - 4][Number(x) - 4 + k] = 1;
  return m;
}

/** Decodes a QR symbol (versions 1–9, byte mode) from its module matrix m[row][column]. */
export function qrDecode(m) {
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

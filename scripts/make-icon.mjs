// Draws Quire's app icon without image tools: a rounded indigo tile with a cream "Q". Writes resources/build/icon.png
// (1024×1024, Linux) and icon.icns (every Mac size as PNG, so electron-builder needs no icon converter, which it would
// download). Run `node scripts/make-icon.mjs` to regenerate them.
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

/** The drawing is specified on a 1024 grid and scaled. */
const GRID = 1024;

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Signed distance to a rounded rectangle centred at the origin. */
function roundedRect(x, y, half, radius) {
  const qx = Math.abs(x) - half + radius;
  const qy = Math.abs(y) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function segment(x, y, ax, ay, bx, by) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - ax - t * (bx - ax), y - ay - t * (by - ay));
}

export function renderIcon(size = GRID) {
  const rows = [];
  const scale = GRID / size;
  // Distances are measured in grid units; anti-aliasing needs them in output pixels.
  const coverage = (distance) => Math.max(0, Math.min(1, 0.5 - distance / scale));
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) * scale - GRID / 2;
      const y = (py + 0.5) * scale - GRID / 2;
      // macOS icon grid: an 824 px tile with a 185 px corner radius inside the 1024 canvas.
      const tile = coverage(roundedRect(x, y, 412, 185));
      const ring = Math.abs(Math.hypot(x, y + 20) - 235) - 52;
      const tail = segment(x, y, 165, 195, 300, 330) - 40 + Math.max(0, (x - 165) / 135) * 22;
      const glyph = coverage(Math.min(ring, tail));
      const shade = ((py + 0.5) * scale - 100) / 824;
      const bg = [58 - 24 * shade, 52 - 20 * shade, 140 - 40 * shade];
      const fg = [246, 240, 226];
      const offset = 1 + px * 4;
      for (let k = 0; k < 3; k++) row[offset + k] = Math.round(bg[k] * (1 - glyph) + fg[k] * glyph);
      row[offset + 3] = Math.round(255 * tile);
    }
    rows.push(row);
  }
  return encodePng(size, size, 'rgba', Buffer.concat(rows));
}

/**
 * A PNG of 8-bit RGB or RGBA scanlines, each already prefixed with its filter byte (0: none). Tests draw their images
 * with it too (test/support/images.ts).
 */
export function encodePng(width, height, colour, scanlines) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colour === 'rgba' ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** ICNS with PNG payloads: the element types macOS reads for each size (1x and @2x). */
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];

export function renderIcns() {
  const rendered = new Map();
  const elements = ICNS_TYPES.map(([type, size]) => {
    if (!rendered.has(size)) rendered.set(size, renderIcon(size));
    const png = rendered.get(size);
    const header = Buffer.alloc(8);
    header.write(type, 0, 'ascii');
    header.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([header, png]);
  });
  const body = Buffer.concat(elements);
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([header, body]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../resources/build/icon.png', import.meta.url), renderIcon());
  writeFileSync(new URL('../resources/build/icon.icns', import.meta.url), renderIcns());
}

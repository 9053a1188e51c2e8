import sharp from 'sharp';

/**
 * Realistic scanner pages for the benchmark, made on the fly: a letter, a table and a photo at
 * 300 dpi and a letter at 600 dpi, each with what scans have — off-white paper, a slight skew, the
 * optics' blur, sensor noise — and saved as the scanner's JPEG (quality 85, 4:2:0, with density).
 */
export interface BenchPage {
  name: string;
  kind: 'text' | 'table' | 'photo';
  dpi: number;
  jpeg: Buffer;
}

const A4 = { width: 8.27, height: 11.69 };

export async function benchPages(options: { only?: number } = {}): Promise<BenchPage[]> {
  const specs: Omit<BenchPage, 'jpeg'>[] = [
    { name: 'text-300', kind: 'text', dpi: 300 },
    { name: 'table-300', kind: 'table', dpi: 300 },
    { name: 'photo-300', kind: 'photo', dpi: 300 },
    { name: 'text-600', kind: 'text', dpi: 600 },
  ];
  const chosen = specs.slice(0, options.only ?? specs.length);
  const pages: BenchPage[] = [];
  for (const spec of chosen) pages.push({ ...spec, jpeg: await scan(spec.kind, spec.dpi) });
  return pages;
}

async function scan(kind: BenchPage['kind'], dpi: number): Promise<Buffer> {
  const width = Math.round(A4.width * dpi);
  const height = Math.round(A4.height * dpi);
  const paper = '#eee8d8';
  const body = kind === 'text' ? letter(dpi) : kind === 'table' ? table(dpi) : photo(width, height);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="${paper}"/>` +
    `<g transform="rotate(0.6 ${width / 2} ${height / 2})">${body}</g></svg>`;
  const rgb = await sharp(Buffer.from(svg))
    .flatten({ background: paper })
    .blur(0.4 + dpi / 600)
    .removeAlpha()
    .raw()
    .toBuffer();
  addNoise(rgb, 10);
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .withDensity(dpi)
    .jpeg({ quality: 85 })
    .toBuffer();
}

function letter(dpi: number): string {
  const pt = dpi / 72;
  const words = 'Please find attached the signed agreement and the invoice for the second quarter';
  const parts: string[] = [
    `<text x="${dpi}" y="${dpi * 1.3}" font-family="serif" font-size="${20 * pt}" font-weight="bold" fill="#101010">ACME Logistics GmbH</text>`,
  ];
  let y = dpi * 2;
  for (let i = 0; i < 46; i++) {
    const size = i % 15 === 14 ? 7 : 10.5;
    y += size * pt * 1.45;
    parts.push(
      `<text x="${dpi}" y="${y.toFixed(0)}" font-family="serif" font-size="${(size * pt).toFixed(1)}" fill="#1c1c1c">${i + 1}. ${words}, ref. ${1000 + i * 37}.</text>`,
    );
  }
  parts.push(
    `<path d="M ${dpi * 5} ${y + dpi * 0.6} q ${dpi * 0.4} ${-dpi * 0.5} ${dpi * 0.8} 0 t ${dpi * 0.8} 0" stroke="#1a2a6a" stroke-width="${pt * 1.2}" fill="none"/>`,
  );
  return parts.join('');
}

function table(dpi: number): string {
  const pt = dpi / 72;
  const rule = Math.max(1, Math.round(dpi * 0.008));
  const parts: string[] = [];
  const top = dpi * 1.2;
  const rowHeight = dpi * 0.3;
  for (let r = 0; r <= 28; r++) {
    parts.push(
      `<rect x="${dpi * 0.8}" y="${top + r * rowHeight}" width="${dpi * 6.6}" height="${rule}" fill="#303030"/>`,
    );
    if (r < 28) {
      for (let c = 0; c < 6; c++) {
        parts.push(
          `<text x="${dpi * (0.9 + c * 1.1)}" y="${top + r * rowHeight + rowHeight * 0.7}" font-family="sans-serif" font-size="${8 * pt}" fill="#202020">${r === 0 ? `Col ${c + 1}` : ((r * 7919 + c * 104729) % 100000) / 100}</text>`,
        );
      }
    }
  }
  for (let c = 0; c <= 6; c++) {
    parts.push(
      `<rect x="${dpi * (0.8 + c * 1.1)}" y="${top}" width="${rule}" height="${rowHeight * 28}" fill="#303030"/>`,
    );
  }
  return parts.join('');
}

function photo(width: number, height: number): string {
  return (
    `<defs><radialGradient id="sky" cx="0.3" cy="0.2"><stop offset="0" stop-color="#fff6d0"/><stop offset="1" stop-color="#4060a0"/></radialGradient>` +
    `<radialGradient id="face"><stop offset="0" stop-color="#f0c8a0"/><stop offset="1" stop-color="#603020"/></radialGradient></defs>` +
    `<rect x="${width * 0.08}" y="${height * 0.08}" width="${width * 0.84}" height="${height * 0.6}" fill="url(#sky)"/>` +
    `<ellipse cx="${width / 2}" cy="${height * 0.42}" rx="${width * 0.18}" ry="${height * 0.16}" fill="url(#face)"/>` +
    `<rect x="${width * 0.08}" y="${height * 0.55}" width="${width * 0.84}" height="${height * 0.13}" fill="#2f5020"/>` +
    `<text x="${width * 0.1}" y="${height * 0.75}" font-family="sans-serif" font-size="${width / 40}" fill="#111">Site visit, 14 March: the loading bay after repairs</text>`
  );
}

/** Deterministic uniform noise (mulberry32), like a scanner's sensor; a seed makes a run replayable. */
export function addNoise(pixels: Buffer, amplitude: number, seed = 0xbe7c4): void {
  if (amplitude === 0) return;
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const random = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    const value = (pixels[i] as number) + Math.round((random * 2 - 1) * amplitude);
    pixels[i] = value < 0 ? 0 : value > 255 ? 255 : value;
  }
}

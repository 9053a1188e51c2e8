import sharp from 'sharp';

/**
 * Realistic scanner pages for the benchmark, made on the fly: a letter, a table and a photo at
 * 300 dpi and a letter at 600 dpi, each with what scans have — off-white paper, a slight skew, the
 * optics' blur, sensor noise — and saved as the scanner's JPEG (quality 85, 4:2:0, with density).
 * The `-grey` pages are the same letter and table as a one-channel JPEG: what the fax engine asks
 * the scanner for. `words` is the text printed on the page, for the OCR legibility figure.
 */
export interface BenchPage {
  name: string;
  kind: 'text' | 'table' | 'photo';
  dpi: number;
  /** false: a greyscale (one-channel) JPEG. */
  colour: boolean;
  jpeg: Buffer;
  words: string[];
}

const A4 = { width: 8.27, height: 11.69 };

export async function benchPages(options: { only?: number } = {}): Promise<BenchPage[]> {
  const specs: Omit<BenchPage, 'jpeg' | 'words'>[] = [
    { name: 'text-300', kind: 'text', dpi: 300, colour: true },
    { name: 'text-300-grey', kind: 'text', dpi: 300, colour: false },
    { name: 'table-300', kind: 'table', dpi: 300, colour: true },
    { name: 'table-300-grey', kind: 'table', dpi: 300, colour: false },
    { name: 'photo-300', kind: 'photo', dpi: 300, colour: true },
    { name: 'text-600', kind: 'text', dpi: 600, colour: true },
  ];
  const chosen = specs.slice(0, options.only ?? specs.length);
  const pages: BenchPage[] = [];
  for (const spec of chosen) {
    const jpeg = await scan(spec.kind, spec.dpi, spec.colour);
    pages.push({ ...spec, jpeg, words: words(pageText(spec.kind)) });
  }
  return pages;
}

/**
 * More greyscale A4 300 dpi scans of the letter and the table, each with its own seeded noise and
 * dust: OCR word recovery on two pages moves by a word or two with the grain alone, so the
 * legibility figure averages over these too.
 */
export async function greyScanVariants(seeds: number[]): Promise<BenchPage[]> {
  const pages: BenchPage[] = [];
  for (const seed of seeds) {
    for (const kind of ['text', 'table'] as const) {
      const spec = { name: `${kind}-300-grey-seed${seed}`, kind, dpi: 300, colour: false };
      pages.push({ ...spec, jpeg: await scan(kind, 300, false, seed), words: words(pageText(kind)) });
    }
  }
  return pages;
}

/** Words as the OCR score compares them: lower case, letters and digits only. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((word) => word.replace(/[^a-z0-9]/g, ''))
    .filter((word) => word !== '');
}

const LETTER_HEADING = 'ACME Logistics GmbH';
const LETTER_WORDS = 'Please find attached the signed agreement and the invoice for the second quarter';
const LETTER_LINES = 46;
const TABLE_ROWS = 28;
const TABLE_COLUMNS = 6;
const PHOTO_CAPTION = 'Site visit, 14 March: the loading bay after repairs';

const letterLine = (i: number): string => `${i + 1}. ${LETTER_WORDS}, ref. ${1000 + i * 37}.`;
const tableCell = (r: number, c: number): string =>
  r === 0 ? `Col ${c + 1}` : String(((r * 7919 + c * 104729) % 100000) / 100);

/** The text printed on a page of that kind. */
function pageText(kind: BenchPage['kind']): string {
  if (kind === 'text')
    return [LETTER_HEADING, ...Array.from({ length: LETTER_LINES }, (_, i) => letterLine(i))].join('\n');
  if (kind === 'table') {
    const cells: string[] = [];
    for (let r = 0; r < TABLE_ROWS; r++) for (let c = 0; c < TABLE_COLUMNS; c++) cells.push(tableCell(r, c));
    return cells.join(' ');
  }
  return PHOTO_CAPTION;
}

async function scan(kind: BenchPage['kind'], dpi: number, colour: boolean, seed?: number): Promise<Buffer> {
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
  addNoise(rgb, 10, seed);
  addDust(rgb, width, height, 3, dpi, seed === undefined ? undefined : seed + 1);
  const image = sharp(rgb, { raw: { width, height, channels: 3 } });
  // A grey scan is the scanner's own luminance, saved as a one-channel JPEG.
  return (colour ? image : image.greyscale().toColourspace('b-w'))
    .withDensity(dpi)
    .jpeg({ quality: 85 })
    .toBuffer();
}

function letter(dpi: number): string {
  const pt = dpi / 72;
  const parts: string[] = [
    `<text x="${dpi}" y="${dpi * 1.3}" font-family="serif" font-size="${20 * pt}" font-weight="bold" fill="#101010">${LETTER_HEADING}</text>`,
  ];
  let y = dpi * 2;
  for (let i = 0; i < LETTER_LINES; i++) {
    const size = i % 15 === 14 ? 7 : 10.5;
    y += size * pt * 1.45;
    parts.push(
      `<text x="${dpi}" y="${y.toFixed(0)}" font-family="serif" font-size="${(size * pt).toFixed(1)}" fill="#1c1c1c">${letterLine(i)}</text>`,
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
  for (let r = 0; r <= TABLE_ROWS; r++) {
    parts.push(
      `<rect x="${dpi * 0.8}" y="${top + r * rowHeight}" width="${dpi * 6.6}" height="${rule}" fill="#303030"/>`,
    );
    if (r < TABLE_ROWS) {
      for (let c = 0; c < TABLE_COLUMNS; c++) {
        parts.push(
          `<text x="${dpi * (0.9 + c * 1.1)}" y="${top + r * rowHeight + rowHeight * 0.7}" font-family="sans-serif" font-size="${8 * pt}" fill="#202020">${tableCell(r, c)}</text>`,
        );
      }
    }
  }
  for (let c = 0; c <= 6; c++) {
    parts.push(
      `<rect x="${dpi * (0.8 + c * 1.1)}" y="${top}" width="${rule}" height="${rowHeight * TABLE_ROWS}" fill="#303030"/>`,
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
    `<text x="${width * 0.1}" y="${height * 0.75}" font-family="sans-serif" font-size="${width / 40}" fill="#111">${PHOTO_CAPTION}</text>`
  );
}

/**
 * Scanner dust and paper flecks: isolated dark specks of 1–3 px at 300 dpi, ~40 per square inch (what
 * a glass that is not quite clean gives), the noise that makes G4 pages large. Seeded, replayable.
 */
export function addDust(
  pixels: Buffer,
  width: number,
  height: number,
  channels: number,
  dpi: number,
  seed = 0xd057,
): void {
  let state = seed;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const specks = Math.round(((width * height) / (dpi * dpi)) * 40);
  const scale = dpi / 300;
  for (let n = 0; n < specks; n++) {
    const size = Math.max(1, Math.round((1 + random() * 2) * scale));
    const x0 = Math.floor(random() * (width - size));
    const y0 = Math.floor(random() * (height - size));
    const level = Math.round(40 + random() * 80);
    for (let y = y0; y < y0 + size; y++) {
      for (let x = x0; x < x0 + size; x++)
        pixels.fill(level, (y * width + x) * channels, (y * width + x + 1) * channels);
    }
  }
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

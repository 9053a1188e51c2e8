import { addNoise } from '../../../edge-service/bench/bench-pages.ts';
import sharp from 'sharp';

/**
 * Test inputs made on the fly (no binaries in the repository): a page of text as a scanner sends it,
 * rendered from SVG at `dpi`, on off-white paper, with seeded noise so thresholds face real grain.
 */
export interface ScannedPageOptions {
  dpi?: number;
  /** Physical size in inches; A4 by default. */
  widthInches?: number;
  heightInches?: number;
  paper?: string;
  /** Amplitude of the uniform noise added to each pixel (0 = clean). */
  noise?: number;
  format?: 'jpeg' | 'png';
  /** Write the density into the file (JFIF / pHYs); without it the pipeline must assume a width. */
  withDensity?: boolean;
  colour?: boolean;
}

export const A4 = { width: 8.27, height: 11.69 };
export const LETTER = { width: 8.5, height: 11 };

export async function scannedPage(options: ScannedPageOptions = {}): Promise<Buffer> {
  const {
    dpi = 300,
    widthInches = A4.width,
    heightInches = A4.height,
    paper = '#ebe6da',
    noise = 12,
  } = options;
  const { format = 'jpeg', withDensity = true, colour = true } = options;
  const width = Math.round(widthInches * dpi);
  const height = Math.round(heightInches * dpi);
  const grey = await sharp(Buffer.from(pageSvg(width, height, dpi, paper)))
    .flatten({ background: paper })
    .greyscale()
    .raw()
    .toBuffer();
  addNoise(grey, noise, 0x5eed);
  let image = sharp(grey, { raw: { width, height, channels: 1 } });
  image = image.toColourspace(colour ? 'srgb' : 'b-w');
  if (withDensity) image = image.withDensity(dpi);
  return format === 'jpeg'
    ? image.jpeg({ quality: 85 }).toBuffer()
    : image.png({ compressionLevel: 1 }).toBuffer();
}

/** Text in three sizes down to 4 pt, a hairline table and a solid block: what a faxed form has. */
function pageSvg(width: number, height: number, dpi: number, paper: string): string {
  const pt = dpi / 72;
  const parts: string[] = [`<rect width="100%" height="100%" fill="${paper}"/>`];
  let y = dpi;
  for (const [size, count] of [
    [14, 8],
    [9, 12],
    [4, 12],
  ] as const) {
    for (let i = 0; i < count; i++) {
      y += size * pt * 1.6;
      parts.push(
        `<text x="${dpi}" y="${y.toFixed(0)}" font-family="sans-serif" font-size="${(size * pt).toFixed(1)}" fill="#1a1a1a">` +
          `Line ${i + 1} at ${size} pt: The quick brown fox jumps over the lazy dog 0123456789</text>`,
      );
    }
  }
  // A table of 0.2 mm rules (a "fine print" stress test) and a solid black block.
  const top = Math.round(y + dpi * 0.5);
  const rule = Math.max(1, Math.round(dpi * 0.008));
  for (let r = 0; r <= 6; r++) {
    parts.push(
      `<rect x="${dpi}" y="${top + r * dpi * 0.4}" width="${dpi * 5}" height="${rule}" fill="#333"/>`,
    );
  }
  for (let c = 0; c <= 5; c++) {
    parts.push(`<rect x="${dpi + c * dpi}" y="${top}" width="${rule}" height="${dpi * 2.4}" fill="#333"/>`);
  }
  parts.push(`<rect x="${dpi * 6.5}" y="${top}" width="${dpi}" height="${dpi}" fill="#111"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** A photo-like page: smooth gradients and a face-sized disc, for the dither path. */
export async function photoPage(dpi = 200): Promise<Buffer> {
  const width = Math.round(A4.width * dpi);
  const height = Math.round(A4.height * dpi);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient>` +
    `<radialGradient id="r"><stop offset="0" stop-color="#eee"/><stop offset="1" stop-color="#333"/></radialGradient></defs>` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<rect x="0" y="0" width="${width}" height="${height / 2}" fill="url(#g)"/>` +
    `<circle cx="${width / 2}" cy="${(height * 3) / 4}" r="${height / 5}" fill="url(#r)"/></svg>`;
  return sharp(Buffer.from(svg))
    .flatten({ background: '#fff' })
    .jpeg({ quality: 85 })
    .withDensity(dpi)
    .toBuffer();
}

/**
 * A page with nothing on it but what scanners add: paper tone, noise, a dark edge shadow along the
 * left side and a few dust specks; with `text`, also one short line of it at 10 pt.
 */
export async function nearlyBlankPage(options: { text?: string; dpi?: number } = {}): Promise<Buffer> {
  const { text, dpi = 300 } = options;
  const width = Math.round(A4.width * dpi);
  const height = Math.round(A4.height * dpi);
  const specks = [0.2, 0.35, 0.5, 0.65, 0.8]
    .map(
      (f, i) =>
        `<rect x="${Math.round(f * width)}" y="${Math.round((0.15 + i * 0.17) * height)}" width="2" height="2" fill="#333"/>`,
    )
    .join('');
  const line =
    text === undefined
      ? ''
      : `<text x="${dpi * 1.5}" y="${dpi * 5}" font-family="sans-serif" font-size="${(10 * dpi) / 72}" fill="#1a1a1a">${text}</text>`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#e8e4da"/><rect width="${Math.round(dpi * 0.06)}" height="100%" fill="#404040"/>` +
    `${specks}${line}</svg>`;
  const grey = await sharp(Buffer.from(svg)).flatten({ background: '#fff' }).greyscale().raw().toBuffer();
  addNoise(grey, 14, 0x5eed);
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .toColourspace('srgb')
    .withDensity(dpi)
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * The same scan under bad lighting: brightness falls from 100% at the left edge to `1 - falloff` at
 * the right, and the top inch is in a shadow at `shadow` (a lid or a hand), as in open-lid scans.
 */
export async function unevenlyLitPage(dpi = 300, falloff = 0.5, shadow = 0.6): Promise<Buffer> {
  const jpeg = await scannedPage({ dpi, noise: 8 });
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  for (let y = 0; y < info.height; y++) {
    // The shadow's edge is a penumbra a quarter of an inch wide, as a real one is.
    const light = shadow + (1 - shadow) * Math.min(1, Math.max(0, (y - dpi) / (dpi / 4)));
    for (let x = 0; x < info.width; x++) {
      const at = y * info.width + x;
      data[at] = Math.round((data[at] as number) * light * (1 - (falloff * x) / info.width));
    }
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
    .withDensity(dpi)
    .jpeg({ quality: 85 })
    .toBuffer();
}

import sharp from 'sharp';

/** A scanned-looking A4 text page at `dpi`, as JPEG: off-white paper, black text. */
export async function textPageJpeg(dpi = 150, label = 'Page'): Promise<Buffer> {
  const width = Math.round(8.27 * dpi);
  const height = Math.round(11.69 * dpi);
  const lines = Array.from(
    { length: 30 },
    (_, i) =>
      `<text x="${dpi}" y="${dpi * 1.5 + i * dpi * 0.3}" font-size="${dpi * 0.14}" font-family="sans-serif">${label} line ${i + 1}: the quick brown fox jumps over the lazy dog</text>`,
  ).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f4f1ea"/>${lines}</svg>`;
  return sharp(Buffer.from(svg)).greyscale().jpeg({ quality: 85 }).withMetadata({ density: dpi }).toBuffer();
}

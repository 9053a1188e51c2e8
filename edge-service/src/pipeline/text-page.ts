import { createCanvas } from '@napi-rs/canvas';
import { wrap } from './cover-page.ts';
import { FAX_WIDTH } from './fax-types.ts';

/*
 * Plain text (an email's body) as A4 pages 1728 pels wide at 204 dpi, as PNGs the fax pipeline
 * converts like scanned pages. Drawn with fillText: nothing in the text is markup.
 */
const DPI = 204;
const HEIGHT = Math.round((FAX_WIDTH * 297) / 210);
const MARGIN = Math.round(0.8 * DPI);
const FONT = '"DejaVu Sans", "Liberation Sans", sans-serif';
const LINE_HEIGHT = 54;

/** The text's pages (at most `maxPages`; what does not fit ends with "…"). */
export async function renderTextPages(text: string, maxPages: number): Promise<Buffer[]> {
  const measure = createCanvas(FAX_WIDTH, 10).getContext('2d');
  measure.font = `38px ${FONT}`;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  const lines = wrap(measure, clean, FAX_WIDTH - 2 * MARGIN);
  const perPage = Math.floor((HEIGHT - 2 * MARGIN) / LINE_HEIGHT);
  const pages: Buffer[] = [];
  for (let start = 0; start < lines.length && pages.length < maxPages; start += perPage) {
    let chunk = lines.slice(start, start + perPage);
    if (pages.length === maxPages - 1 && start + perPage < lines.length) chunk = [...chunk.slice(0, -1), '…'];
    const canvas = createCanvas(FAX_WIDTH, HEIGHT);
    const g = canvas.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, FAX_WIDTH, HEIGHT);
    g.fillStyle = '#000000';
    g.font = `38px ${FONT}`;
    let y = MARGIN + 40;
    for (const line of chunk) {
      g.fillText(line, MARGIN, y);
      y += LINE_HEIGHT;
    }
    pages.push(await canvas.encode('png'));
  }
  return pages;
}

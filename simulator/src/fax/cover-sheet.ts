/** The cover page the modem sends first when a job carries cover-sheet-info (PWG 5100.15). */
import sharp from 'sharp';
import { FAX_WIDTH, toFaxPng, type FaxPage } from './fax-document-decoder.ts';
import type { CoverSheet } from './fax-job.ts';

/** A4 at fine resolution (204 × 196 dpi). */
const PAGE_HEIGHT = 2292;

const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Splits text into lines of at most `width` characters, at spaces where possible. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      for (let rest = word; rest; rest = rest.slice(width)) {
        const piece = rest.slice(0, width);
        if (line && line.length + 1 + piece.length > width) {
          lines.push(line);
          line = piece;
        } else line = line ? `${line} ${piece}` : piece;
      }
    }
    lines.push(line);
  }
  return lines;
}

export function coverSheetSvg(sheet: CoverSheet): string {
  const rows: [string, string][] = [];
  if (sheet.toName) rows.push(['To', sheet.toName]);
  if (sheet.fromName) rows.push(['From', sheet.fromName]);
  if (sheet.subject) rows.push(['Subject', sheet.subject]);
  if (sheet.dateTime)
    rows.push(['Date', sheet.dateTime.toISOString().replace('T', ' ').slice(0, 16) + ' UTC']);
  const text: string[] = [
    `<text x="120" y="260" font-size="120" font-weight="bold">FAX</text>`,
    ...rows.map(
      ([label, value], i) =>
        `<text x="120" y="${460 + i * 90}" font-size="56"><tspan font-weight="bold">${label}:</tspan> ${escapeXml(value)}</text>`,
    ),
    ...wrap(sheet.message ?? '', 48)
      .slice(0, 30)
      .map(
        (line, i) =>
          `<text x="120" y="${560 + rows.length * 90 + i * 64}" font-size="48">${escapeXml(line)}</text>`,
      ),
  ];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${FAX_WIDTH}" height="${PAGE_HEIGHT}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>${text.join('')}` +
    `<rect x="120" y="${380 + rows.length * 90}" width="${FAX_WIDTH - 240}" height="6" fill="#000"/></svg>`
  );
}

export async function renderCoverSheet(sheet: CoverSheet): Promise<FaxPage> {
  const png = await toFaxPng(sharp(Buffer.from(coverSheetSvg(sheet))));
  return { png, encodedBytes: png.length };
}

import { escapeXml } from './escl-xml.ts';

/** Small SVG drawing helpers for the sample originals. Coordinates are points (1/72 inch). */

export const SERIF = 'Liberation Serif, DejaVu Serif, serif';
export const SANS = 'Liberation Sans, DejaVu Sans, sans-serif';

interface TextStyle {
  size: number;
  family?: string;
  weight?: 'normal' | 'bold';
  italic?: boolean;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
}

export function text(x: number, y: number, content: string, style: TextStyle): string {
  const attrs = [
    `x="${x}"`,
    `y="${y}"`,
    `font-family="${style.family ?? SERIF}"`,
    `font-size="${style.size}"`,
    style.weight === 'bold' ? 'font-weight="bold"' : '',
    style.italic ? 'font-style="italic"' : '',
    `fill="${style.fill ?? '#111'}"`,
    style.anchor && style.anchor !== 'start' ? `text-anchor="${style.anchor}"` : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

/** Greedy word wrap by an average glyph width, good enough for body text in Times-like fonts. */
export function wrap(content: string, width: number, size: number, glyphWidth = 0.47): string[] {
  const maxChars = Math.floor(width / (size * glyphWidth));
  const lines: string[] = [];
  let line = '';
  for (const word of content.split(/\s+/)) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A wrapped paragraph; returns the markup and the baseline below its last line. */
export function paragraph(
  x: number,
  y: number,
  width: number,
  content: string,
  style: TextStyle & { leading?: number },
): { markup: string; bottom: number } {
  const leading = style.leading ?? style.size * 1.4;
  const lines = wrap(content, width, style.size, style.family === SANS ? 0.5 : 0.43);
  const markup = lines.map((line, i) => text(x, y + i * leading, line, style)).join('');
  return { markup, bottom: y + (lines.length - 1) * leading };
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke = '#111', width = 0.6): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${stroke}" stroke-width="${width}"/>`;
}

export function rect(x: number, y: number, w: number, h: number, fill = 'none', stroke = '#111'): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}" stroke="${stroke}" stroke-width="0.6"/>`;
}

/** A simple grid table; the first row is the header. Column widths in points. */
export function table(x: number, y: number, widths: number[], rows: string[][], size = 9): string {
  const rowHeight = size * 1.9;
  const total = widths.reduce((a, b) => a + b, 0);
  const parts: string[] = [rect(x, y, total, rowHeight, '#dfe7f2', 'none')];
  rows.forEach((row, r) => {
    let cx = x;
    row.forEach((cell, c) => {
      const w = widths[c] ?? 60;
      const numeric = c > 0 && /^[\d.,€$ %-]+$/.test(cell);
      parts.push(
        text(numeric ? cx + w - 5 : cx + 5, y + r * rowHeight + size * 1.3, cell, {
          size,
          weight: r === 0 ? 'bold' : 'normal',
          family: SANS,
          anchor: numeric ? 'end' : 'start',
        }),
      );
      cx += w;
    });
  });
  for (let r = 0; r <= rows.length; r++) parts.push(line(x, y + r * rowHeight, x + total, y + r * rowHeight));
  let cx = x;
  for (let c = 0; c <= widths.length; c++) {
    parts.push(line(cx, y, cx, y + rows.length * rowHeight));
    cx += widths[c] ?? 0;
  }
  return parts.join('');
}

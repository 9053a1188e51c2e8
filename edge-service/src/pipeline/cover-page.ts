import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { COVER_NOTE_MAX, COVER_SUBJECT_MAX } from '../../../protocol/index.ts';
import { renderFaxPage, type FaxPage } from './fax-page.ts';
import { FAX_WIDTH, type FaxResolution } from './fax-types.ts';

/** What a cover page says. Every string is drawn as text (fillText): nothing is markup, nothing needs escaping. */
export interface CoverPageContent {
  senderName: string;
  recipientName: string | null;
  /** The recipients' numbers as people read them (international format). */
  recipients: readonly string[];
  /** When the job was accepted; shown in UTC so a restart renders the same page. */
  date: Date;
  subject: string;
  note: string;
  /** Pages of the whole fax, this cover included. */
  pageCount: number;
}

/*
 * Drawn at 204 × 204 dpi on an A4-shaped canvas 1728 pels wide (the fax line), then handed to the
 * same conversion as a scanned page (renderFaxPage), which squeezes the rows to the job's lines per
 * inch, thresholds and G4-codes it. A4's aspect is what page-geometry takes for A4 without a density.
 */
const DPI = 204;
const CANVAS_HEIGHT = Math.round((FAX_WIDTH * 297) / 210);
const MARGIN = Math.round(0.8 * DPI);
const TEXT_WIDTH = FAX_WIDTH - 2 * MARGIN;
const FONT = '"DejaVu Sans", "Liberation Sans", sans-serif';
const LABEL_WIDTH = Math.round(1.5 * DPI);
/** Shown recipients before "and n more": a fax goes to at most 10, but the page stays readable. */
const MAX_RECIPIENT_LINES = 4;

export async function renderCoverPage(
  content: CoverPageContent,
  resolution: FaxResolution,
): Promise<FaxPage> {
  const canvas = createCanvas(FAX_WIDTH, CANVAS_HEIGHT);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, FAX_WIDTH, CANVAS_HEIGHT);
  g.fillStyle = '#000000';
  g.textBaseline = 'alphabetic';

  let y = MARGIN + 90;
  g.font = `bold 110px ${FONT}`;
  g.fillText('FAX', MARGIN, y);
  y += 40;
  g.fillRect(MARGIN, y, TEXT_WIDTH, 6);
  y += 90;

  const subject = clip(content.subject, COVER_SUBJECT_MAX);
  const to = recipientLines(content);
  const rows: [string, string[]][] = [
    ['From', [clip(content.senderName, 160)]],
    ['To', to],
    ['Date', [formatDate(content.date)]],
    ['Pages', [`${content.pageCount} (this cover page included)`]],
  ];
  if (subject) rows.push(['Subject', [subject]]);
  const valueWidth = TEXT_WIDTH - LABEL_WIDTH;
  for (const [label, values] of rows) {
    g.font = `bold 40px ${FONT}`;
    g.fillText(label, MARGIN, y);
    g.font = `40px ${FONT}`;
    for (const value of values) {
      for (const line of wrap(g, value, valueWidth)) {
        g.fillText(line, MARGIN + LABEL_WIDTH, y);
        y += 56;
      }
    }
    y += 16;
  }

  const note = clip(content.note, COVER_NOTE_MAX).trim();
  if (note) {
    y += 30;
    g.fillRect(MARGIN, y, TEXT_WIDTH, 3);
    y += 80;
    g.font = `38px ${FONT}`;
    const lineHeight = 54;
    const bottom = CANVAS_HEIGHT - MARGIN;
    const lines = wrap(g, note, TEXT_WIDTH);
    const room = Math.max(0, Math.floor((bottom - y) / lineHeight));
    const shown = lines.length > room ? [...lines.slice(0, Math.max(0, room - 1)), '…'] : lines;
    for (const line of shown) {
      g.fillText(line, MARGIN, y);
      y += lineHeight;
    }
  }

  const png = await canvas.encode('png');
  return renderFaxPage(png, { resolution, mode: 'text', flattenLighting: false });
}

function recipientLines(content: CoverPageContent): string[] {
  const numbers = content.recipients.slice(0, MAX_RECIPIENT_LINES);
  const more = content.recipients.length - numbers.length;
  const lines = content.recipientName ? [clip(content.recipientName, 160), ...numbers] : [...numbers];
  if (more > 0) lines.push(`and ${more} more`);
  return lines;
}

/** At most `max` characters (by code point, so no surrogate pair is cut), control characters as spaces. */
function clip(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  const chars = [...clean];
  return chars.length > max ? chars.slice(0, max).join('') : clean;
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Word wrap by measured width; a word wider than the line is cut where it must be. Keeps line breaks. */
export function wrap(g: Pick<SKRSContext2D, 'measureText'>, text: string, width: number): string[] {
  const fits = (s: string) => g.measureText(s).width <= width;
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/[ \t]+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (!fits(rest)) {
        let cut = [...rest].length - 1;
        while (cut > 1 && !fits([...rest].slice(0, cut).join(''))) cut--;
        lines.push([...rest].slice(0, cut).join(''));
        rest = [...rest].slice(cut).join('');
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

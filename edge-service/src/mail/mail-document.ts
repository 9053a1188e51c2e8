import { escapeHtml } from '../escape-html.ts';

/**
 * A notification as structure, rendered to plain text and to HTML. Every value in it is plain text:
 * only the renderer writes markup, and it escapes everything, so a user's name cannot inject HTML.
 * The HTML has inline styles only and loads nothing remote (no images, fonts or stylesheets).
 */
export type MailBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'action'; label: string; url: string; fallback: string }
  | { kind: 'facts'; items: readonly (readonly [label: string, value: string])[] }
  | { kind: 'table'; head: readonly string[]; rows: readonly (readonly string[])[] }
  | { kind: 'note'; text: string };

export interface MailDocument {
  language: string;
  subject: string;
  greeting: string;
  blocks: readonly MailBlock[];
  signature: string;
  footer: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail(doc: MailDocument): RenderedMail {
  return { subject: oneLine(doc.subject), text: renderText(doc), html: renderHtml(doc) };
}

/** Subjects are one header line: a value with a line break must not fold a header in two. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

export function renderText(doc: MailDocument): string {
  const parts: string[] = [doc.greeting];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'paragraph':
      case 'note':
        parts.push(block.text);
        break;
      case 'action':
        parts.push(`${block.label}\n${block.url}`);
        break;
      case 'facts':
        parts.push(block.items.map(([label, value]) => `${label}: ${value}`).join('\n'));
        break;
      case 'table':
        parts.push(block.rows.map((row) => `- ${row.join(' | ')}`).join('\n'));
        break;
    }
  }
  parts.push(doc.signature, `--\n${doc.footer}`);
  return `${parts.join('\n\n')}\n`;
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const P = `margin:0 0 16px;${FONT}font-size:15px;line-height:1.5;color:#1f2937;`;
const SMALL = `margin:0 0 16px;${FONT}font-size:12px;line-height:1.5;color:#6b7280;`;
const CELL = `padding:6px 10px;border:1px solid #d1d5db;${FONT}font-size:14px;text-align:left;vertical-align:top;`;

export function renderHtml(doc: MailDocument): string {
  const e = escapeHtml;
  const body: string[] = [`<p style="${P}">${e(doc.greeting)}</p>`];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'paragraph':
        body.push(`<p style="${P}">${e(block.text)}</p>`);
        break;
      case 'note':
        body.push(`<p style="${SMALL}">${e(block.text)}</p>`);
        break;
      case 'action':
        body.push(
          `<p style="${P}"><a href="${e(block.url)}" style="display:inline-block;padding:10px 18px;` +
            `background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px;${FONT}font-size:15px;">` +
            `${e(block.label)}</a></p>`,
          `<p style="${SMALL}">${e(block.fallback)}<br><span style="word-break:break-all;">${e(block.url)}</span></p>`,
        );
        break;
      case 'facts':
        body.push(
          `<table role="presentation" style="border-collapse:collapse;margin:0 0 16px;">` +
            block.items
              .map(
                ([label, value]) =>
                  `<tr><th scope="row" style="${CELL}background:#f3f4f6;">${e(label)}</th>` +
                  `<td style="${CELL}">${e(value)}</td></tr>`,
              )
              .join('') +
            `</table>`,
        );
        break;
      case 'table':
        body.push(
          `<table style="border-collapse:collapse;margin:0 0 16px;">` +
            `<thead><tr>${block.head.map((h) => `<th scope="col" style="${CELL}background:#f3f4f6;">${e(h)}</th>`).join('')}</tr></thead>` +
            `<tbody>${block.rows.map((row) => `<tr>${row.map((c) => `<td style="${CELL}">${e(c)}</td>`).join('')}</tr>`).join('')}</tbody>` +
            `</table>`,
        );
        break;
    }
  }
  body.push(`<p style="${P}">${e(doc.signature)}</p>`, `<p style="${SMALL}">${e(doc.footer)}</p>`);
  return (
    `<!DOCTYPE html>\n<html lang="${e(doc.language)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${e(oneLine(doc.subject))}</title></head>\n` +
    `<body style="margin:0;padding:0;background:#f4f4f5;">` +
    `<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;">\n` +
    `${body.join('\n')}\n</div></body></html>\n`
  );
}

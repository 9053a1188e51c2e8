/**
 * Just enough of RFC 5322 / MIME to read back what nodemailer wrote to the outbox (mailparser is not
 * a dependency): unfolded headers, RFC 2047 encoded words, multipart bodies, quoted-printable and
 * base64, UTF-8 text. The console's outbox reads its own messages with it; the tests read theirs.
 */
export interface MimePart {
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Map<string, string>;
  /** Headers in file order with their names as written. */
  headerList: { name: string; value: string }[];
  body: string;
  parts: MimePart[];
}

/** Throws (plain Error) on a message that is not MIME as nodemailer writes it. */
export function parseMime(raw: string, depth = 0): MimePart {
  if (depth > 8) throw new Error('multipart nested too deep');
  const text = raw.replace(/\r?\n/g, '\r\n');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const headers = new Map<string, string>();
  const headerList: MimePart['headerList'] = [];
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon).trim();
    const value = decodeWords(line.slice(colon + 1).trim());
    headers.set(name.toLowerCase(), value);
    headerList.push({ name, value });
  }
  const body = split < 0 ? '' : text.slice(split + 4);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const sections = body.split(`--${boundary}`);
    if (!sections.at(-1)!.startsWith('--')) throw new Error('multipart without its closing boundary');
    const parts = sections
      .slice(1, -1)
      .map((s) => parseMime(s.replace(/^\r\n/, '').replace(/\r\n$/, ''), depth + 1));
    return { headers, headerList, body: '', parts };
  }
  return {
    headers,
    headerList,
    body: decodeBody(body, headers.get('content-transfer-encoding') ?? '7bit'),
    parts: [],
  };
}

/** The first part of that media type, depth first (e.g. the text/plain of multipart/alternative). */
export function findPart(part: MimePart, mediaType: string): MimePart | null {
  const type = (part.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  if (part.parts.length === 0) return type === mediaType ? part : null;
  for (const child of part.parts) {
    const found = findPart(child, mediaType);
    if (found) return found;
  }
  return null;
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QB]\?[^?]*\?=)\s+(?==\?)/gi, '$1')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

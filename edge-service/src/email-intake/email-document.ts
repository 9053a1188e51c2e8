import { simpleParser, type Attachment } from 'mailparser';
import sharp from 'sharp';
import { EdgeError } from '../edge-error.ts';
import { INPUT_OPTIONS, readScannedPage } from '../pipeline/image-input.ts';
import { MAX_INPUT_PIXELS } from '../pipeline/page-geometry.ts';
import { renderPdfPages } from '../pipeline/pdf-pages.ts';
import { readTiffDirectories, tagValue, TIFF_TAGS, type TiffDirectory } from '../pipeline/tiff-reader.ts';

/** A message as faxed: its page images (JPEG or PNG, what renderFaxPage takes) and its text. */
export interface EmailDocument {
  subject: string;
  /** The plain text of the body (trimmed; '' when it has none). */
  body: string;
  fromName: string;
  messageId: string | null;
  /** Names of parts left out on purpose: images shown inside the HTML body (a logo in a signature). */
  skipped: string[];
}

/** Why the document cannot be faxed: the refusal names each attachment at fault. */
export class DocumentRefused extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DocumentRefused';
    this.code = code;
  }
}

type Kind = 'pdf' | 'tiff' | 'jpeg' | 'png';

/** By the bytes, not by the declared type: a mislabelled file is judged by what it is. */
function sniff(data: Buffer): Kind | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  const head = data.subarray(0, 4).toString('hex');
  if (head === '49492a00' || head === '4d4d002a') return 'tiff';
  if (head.startsWith('ffd8ff')) return 'jpeg';
  if (head === '89504e47') return 'png';
  return null;
}

const MAX_TEXT_CHARS = 20_000;

/**
 * Reads the MIME message and hands each fax page, in order, to `page` (as the edge's pipeline takes
 * them: JPEG or PNG). Attachments: PDF (every page, drawn at fax width), TIFF (every page), JPEG,
 * PNG. Anything else refuses the whole message, naming the files: a fax that silently lacks an
 * attachment is worse than none. `maxPages` counts every page (the caller adds its cover page).
 */
export async function readEmailDocument(
  raw: Buffer,
  options: { maxPages: number },
  page: (image: Buffer, extension: 'png' | 'jpg') => Promise<void>,
): Promise<EmailDocument & { pages: number }> {
  let parsed;
  try {
    parsed = await simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
  } catch (error) {
    throw new DocumentRefused(
      'EMAIL_MALFORMED',
      `The message could not be read as MIME (${error instanceof Error ? error.message : 'malformed'}): send it again from your mail program.`,
    );
  }
  const attachments = parsed.attachments ?? [];
  const named = (a: Attachment, i: number) => a.filename ?? `attachment ${i + 1} (${a.contentType})`;
  const skipped: string[] = [];
  const faxable: { attachment: Attachment; kind: Kind; name: string }[] = [];
  const unsupported: string[] = [];
  attachments.forEach((attachment, i) => {
    const name = named(attachment, i);
    const kind = sniff(attachment.content);
    // An image the HTML body shows (cid:) is part of the text, not a document to fax.
    if (attachment.related && attachment.contentDisposition !== 'attachment' && kind !== 'pdf') {
      skipped.push(name);
      return;
    }
    if (kind === null) unsupported.push(name);
    else faxable.push({ attachment, kind, name });
  });
  if (unsupported.length > 0)
    throw new DocumentRefused(
      'ATTACHMENT_UNSUPPORTED',
      `Not faxed: ${unsupported.map((n) => `"${n.slice(0, 80)}"`).join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not PDF, TIFF, JPEG or PNG. Send ${unsupported.length === 1 ? 'it' : 'them'} as PDF, or leave ${unsupported.length === 1 ? 'it' : 'them'} out.`,
    );
  let pages = 0;
  const count = (label: string) => {
    pages += 1;
    if (pages > options.maxPages)
      throw new DocumentRefused(
        'PAGE_LIMIT',
        `${label} takes the fax past ${options.maxPages} pages, the most an email fax may have: send fewer pages.`,
      );
  };
  for (const { attachment, kind, name } of faxable) {
    const data = attachment.content;
    try {
      if (kind === 'pdf') {
        await renderPdfPages(
          data,
          { label: `"${name}"`, maxPages: options.maxPages - pages },
          async (png) => {
            count(`"${name}"`);
            await page(png, 'png');
          },
        );
      } else if (kind === 'tiff') {
        await tiffPages(data, name, options.maxPages - pages, async (png) => {
          count(`"${name}"`);
          await page(png, 'png');
        });
      } else {
        // Decodes the header only: a gigapixel image is refused by its size, never decoded.
        await readScannedPage(data, undefined).catch((error: unknown) => {
          throw labelled(error, name);
        });
        count(`"${name}"`);
        await page(data, kind === 'jpeg' ? 'jpg' : 'png');
      }
    } catch (error) {
      if (error instanceof DocumentRefused) throw error;
      throw labelled(error, name);
    }
  }
  const text = (parsed.text ?? '').replace(/\r\n/g, '\n').trim().slice(0, MAX_TEXT_CHARS);
  const from = parsed.from?.value[0];
  return {
    subject: (parsed.subject ?? '').slice(0, 200),
    body: text,
    fromName: from?.name ?? '',
    messageId: parsed.messageId ?? null,
    skipped,
    pages,
  };
}

function labelled(error: unknown, name: string): DocumentRefused {
  // A full disk is the edge's trouble, not the attachment's: it stays a temporary failure.
  if (isDiskFull(error)) throw error;
  if (error instanceof EdgeError) {
    const message =
      error.code === 'IMAGE_TOO_LARGE'
        ? `"${name}" has more pixels than a fax page can use (over ${Math.round(MAX_INPUT_PIXELS / 1e6)} megapixels): scale it down and send again.`
        : error.code === 'IMAGE_INVALID'
          ? `"${name}" cannot be read as an image: save it again and resend.`
          : error.message;
    return new DocumentRefused(error.code, message);
  }
  return new DocumentRefused('IMAGE_INVALID', `"${name}" cannot be read: save it again and resend.`);
}

/**
 * Each page of a TIFF (G4, LZW, JPEG…) as a grey PNG with square pixels and its resolution. A fax
 * TIFF's pixels are not square (204 × 98 or 204 × 196 dpi): its rows are stretched by X/Y first, so
 * the page keeps its real length when the pipeline reads it.
 */
async function tiffPages(
  data: Buffer,
  name: string,
  maxPages: number,
  each: (png: Buffer) => Promise<void>,
): Promise<void> {
  const metadata = await sharp(data, { ...INPUT_OPTIONS, page: 0 }).metadata();
  const count = metadata.pages ?? 1;
  if (count > maxPages)
    throw new DocumentRefused(
      'PAGE_LIMIT',
      `"${name}" has ${count} pages, more than the ${maxPages} this email fax may still have: send fewer pages.`,
    );
  let directories: TiffDirectory[] = [];
  try {
    directories = readTiffDirectories(data);
  } catch {
    // libvips read it: it is taken with square pixels.
  }
  for (let index = 0; index < count; index++) {
    const image = sharp(data, { ...INPUT_OPTIONS, page: index });
    const info = await image.metadata();
    const width = info.width ?? 0;
    const height = info.height ?? 0;
    if (width * height > MAX_INPUT_PIXELS)
      throw new EdgeError('IMAGE_TOO_LARGE', `"${name}" page ${index + 1} is too large`);
    const directory = directories[index];
    const xRes = directory ? tagValue(directory, TIFF_TAGS.XResolution) : undefined;
    const yRes = directory ? tagValue(directory, TIFF_TAGS.YResolution) : undefined;
    let pipeline = image.greyscale();
    let density = info.density;
    if (xRes && yRes && Math.abs(xRes - yRes) / xRes > 0.05 && height > 0) {
      const rows = Math.round((height * xRes) / yRes);
      if (width * rows > MAX_INPUT_PIXELS)
        throw new EdgeError('IMAGE_TOO_LARGE', `"${name}" page ${index + 1} is too large`);
      pipeline = pipeline.resize(width, rows, { fit: 'fill' });
      density = xRes;
    }
    await each(
      await pipeline
        .withMetadata(density ? { density } : {})
        .png({ compressionLevel: 3 })
        .toBuffer(),
    );
  }
}

/** The edge's disk is full (the spool, SQLite, or a write of ours): the sender should retry, not give up. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SPOOL_FULL' || code === 'STORAGE_FULL' || code === 'SQLITE_FULL' || code === 'ENOSPC';
}

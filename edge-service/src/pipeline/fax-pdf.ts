import PDFDocument from 'pdfkit';
import type { FaxPage } from './fax-types.ts';

/** PDF user space units per inch. */
const POINTS_PER_INCH = 72;

/**
 * One PDF page per fax page, sized to the paper the fax represents, each showing its G4 data as an
 * image XObject with /CCITTFaxDecode. The G4 bytes go in untouched: pdfkit only Flate-compresses a
 * stream whose dictionary has no /Filter, and this one has one. No I/O beyond pdfkit's in-memory stream.
 */
export async function buildFaxPdf(pages: FaxPage[]): Promise<Buffer> {
  if (pages.length === 0) throw new RangeError('A fax PDF needs at least one page');
  const { doc, done } = openPdf();
  pages.forEach((page, index) => addFaxPage(doc, page, `Fax${index + 1}`));
  doc.end();
  return done;
}

/** A pdfkit document collected in memory; `done` resolves with the file once `doc.end()` is called. */
export function openPdf(): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    autoFirstPage: false,
    compress: true,
    info: { Producer: 'mfp-edge', Creator: 'mfp-edge' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

/** Adds one page sized to the paper the fax page represents, showing its G4 data as-is. */
export function addFaxPage(doc: PDFKit.PDFDocument, page: FaxPage, name: string): void {
  const width = (page.width / page.xDpi) * POINTS_PER_INCH;
  const height = (page.height / page.yDpi) * POINTS_PER_INCH;
  doc.addPage({ size: [width, height], margin: 0 });
  const image = doc.ref({
    Type: 'XObject',
    Subtype: 'Image',
    Width: page.width,
    Height: page.height,
    ColorSpace: 'DeviceGray',
    BitsPerComponent: 1,
    Filter: 'CCITTFaxDecode',
    DecodeParms: { K: -1, Columns: page.width, Rows: page.height, BlackIs1: false },
  });
  image.end(page.g4);
  doc.page.xobjects[name] = image;
  // pdfkit's page starts flipped (origin top left); the image unit square needs it unflipped.
  doc.save();
  doc.transform(width, 0, 0, -height, 0, height);
  doc.addContent(`/${name} Do`);
  doc.restore();
}

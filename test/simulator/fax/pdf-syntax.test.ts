import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { extractPdfImages } from '../../../simulator/src/fax/pdf-image-extractor.ts';
import { MAX_OBJECT_STREAM_BYTES, PdfDocument, isDict } from '../../../simulator/src/fax/pdf-syntax.ts';
import { pdfWithImage } from './hostile-documents.ts';

/** A PDF whose object 10 lives in a Flate object stream, padded with `padding` spaces once inflated. */
function pdfWithObjectStream(padding: number, n = 1): Buffer {
  const member = '<< /Marker true >>';
  const header = '10 0 ';
  const inflated = Buffer.concat([Buffer.from(header + member, 'latin1'), Buffer.alloc(padding, 0x20)]);
  const stream = deflateSync(inflated, { level: 9 });
  return Buffer.concat([
    Buffer.from(
      `%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N ${n} /First ${header.length} /Filter /FlateDecode ` +
        `/Length ${stream.length} >>\nstream\n`,
      'latin1',
    ),
    stream,
    Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1'),
  ]);
}

describe('simulator/fax/pdf-syntax (hostile structure)', () => {
  it('expands object streams, within a budget for what they may inflate to', () => {
    assert.ok(isDict(new PdfDocument(pdfWithObjectStream(100)).objects.get(10)?.value));
    const small = new PdfDocument(pdfWithObjectStream(4096), { maxObjectStreamBytes: 1024 });
    assert.equal(small.objects.get(10), undefined);
  });

  it('an object stream that inflates past the default budget is skipped, not inflated', () => {
    const bomb = pdfWithObjectStream(MAX_OBJECT_STREAM_BYTES + 1024);
    assert.ok(bomb.length < 100_000, String(bomb.length));
    const doc = new PdfDocument(bomb);
    assert.equal(doc.objects.get(10), undefined);
    assert.ok(doc.objects.has(5));
  });

  it('a huge /N in an object stream ends with the pairs its header really has', () => {
    const doc = new PdfDocument(pdfWithObjectStream(10, 2_000_000_000));
    assert.ok(isDict(doc.objects.get(10)?.value));
  });

  it('a negative /Length does not send the scan back onto the same object', () => {
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj\n<< /Length -400 >>\nstream\nabc\nendstream\nendobj\n' +
        '2 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n',
      'latin1',
    );
    const doc = new PdfDocument(pdf);
    assert.equal(doc.objects.get(1)?.stream?.toString('latin1'), 'abc');
    assert.ok(isDict(doc.objects.get(2)?.value));
  });

  it('forms that list themselves many times are looked into once per page', () => {
    // Form 5 lists itself 60 times: walked naively to depth 4, that is 60^5 visits.
    const self = Array.from({ length: 60 }, (_, i) => `/F${i} 5 0 R`).join(' ');
    const form =
      `5 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] ` +
      `/Resources << /XObject << ${self} /Im 4 0 R >> >> /Length 0 >>\nstream\n\nendstream\nendobj\n`;
    const pdf = pdfWithImage(
      '/Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8',
      Buffer.alloc(64),
      [form],
    );
    // The page's resources name the form instead of the image.
    const page = Buffer.from(
      pdf.toString('latin1').replace('/XObject << /Im0 4 0 R >>', '/XObject << /Fm 5 0 R >>'),
      'latin1',
    );
    const pages = extractPdfImages(page);
    assert.equal(pages.length, 1);
    assert.equal(pages[0]!.images.length, 1);
    assert.equal(pages[0]!.images[0]!.width, 8);
  });
});

import PDFDocument from 'pdfkit';

export interface TestPdfPage {
  /** pdfkit size name ('LETTER', 'A4', 'A3'…) or [width, height] in points. */
  size?: string | [number, number];
  layout?: 'portrait' | 'landscape';
  /** Drawn in 28 pt Helvetica (vector text, not an image) at x, y points from the top left. */
  text?: { x: number; y: number; value: string };
  /** A horizontal rule 4 pt thick at y points. */
  ruleY?: number;
  /** A filled square in this colour, 72 pt wide, at x, y points. */
  square?: { x: number; y: number; colour: string };
}

/** A PDF made with pdfkit, page by page, for feeding to the simulator. */
export function makePdf(pages: TestPdfPage[], options: { userPassword?: string } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    autoFirstPage: false,
    ...(options.userPassword ? { userPassword: options.userPassword, pdfVersion: '1.7' as const } : {}),
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const page of pages) {
    doc.addPage({ size: page.size ?? 'LETTER', layout: page.layout ?? 'portrait', margin: 0 });
    if (page.text) {
      doc.font('Helvetica').fontSize(28).fillColor('black');
      doc.text(page.text.value, page.text.x, page.text.y, { lineBreak: false });
    }
    if (page.ruleY !== undefined) {
      doc.moveTo(72, page.ruleY).lineTo(540, page.ruleY).lineWidth(4).strokeColor('black').stroke();
    }
    if (page.square) {
      doc.rect(page.square.x, page.square.y, 72, 72).fill(page.square.colour);
    }
  }
  doc.end();
  return done;
}

/** Two Letter pages of text and a rule, each in a different place. */
export function twoPageLetter(): Promise<Buffer> {
  return makePdf([
    { text: { x: 72, y: 72, value: 'Quarterly freight report' }, ruleY: 400 },
    { text: { x: 72, y: 600, value: 'Second page, lower down' }, ruleY: 200 },
  ]);
}

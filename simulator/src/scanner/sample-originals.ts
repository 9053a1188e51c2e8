import { A4, LEGAL, type Original, type OriginalPage } from './original.ts';
import { SANS, SERIF, line, paragraph, rect, table, text } from './sample-svg.ts';

/**
 * Built-in originals a tester can load into the feeder. They look like real office paper (letterhead,
 * body text, a table, 6–8 pt fine print, a signature) so the fax/compression pipeline sees what it
 * will see in an office: thin strokes, small text, halftones.
 */

export const SAMPLE_NAMES = ['letter', 'form', 'photo', 'blank', 'skewed', 'legal'] as const;
export type SampleName = (typeof SAMPLE_NAMES)[number];

export function isSampleName(value: unknown): value is SampleName {
  return typeof value === 'string' && (SAMPLE_NAMES as readonly string[]).includes(value);
}

const A4_PT = { width: 595.28, height: 841.89 };
const LEGAL_PT = { width: 612, height: 1008 };
const LEFT = 62;

function letterhead(pageWidth: number): string {
  const right = pageWidth - LEFT;
  return [
    `<rect x="${LEFT}" y="36" width="34" height="34" rx="6" fill="#1f4e8c"/>`,
    text(LEFT + 17, 61, 'N', { size: 24, family: SANS, weight: 'bold', fill: '#fff', anchor: 'middle' }),
    text(LEFT + 44, 53, 'Northwind Logistics GmbH', {
      size: 17,
      family: SANS,
      weight: 'bold',
      fill: '#1f4e8c',
    }),
    text(LEFT + 44, 66, 'Freight · Customs · Warehousing', { size: 8, family: SANS, fill: '#555' }),
    text(right, 46, 'Hafenstraße 12 · 20457 Hamburg · Germany', { size: 7, family: SANS, anchor: 'end' }),
    text(right, 56, 'Tel. +49 40 555 0199 · Fax +49 40 555 0198', { size: 7, family: SANS, anchor: 'end' }),
    text(right, 66, 'info@northwind.example · www.northwind.example', {
      size: 7,
      family: SANS,
      anchor: 'end',
    }),
    line(LEFT, 80, right, 80, '#1f4e8c', 1.5),
  ].join('');
}

function footer(pageWidth: number, pageHeight: number, pageNumber: number, pageCount: number): string {
  const width = pageWidth - 2 * LEFT;
  const fine = paragraph(
    LEFT,
    pageHeight - 52,
    width,
    'Northwind Logistics GmbH · Registered office: Hamburg · Commercial register: Amtsgericht Hamburg HRB 123456 · ' +
      'VAT ID DE 123 456 789 · Managing directors: Anna Example, Bernd Sample · Example Bank AG · ' +
      'IBAN DE00 2005 0000 1234 5678 90 · BIC EXAMDEHHXXX · All services are provided under the German Freight ' +
      'Forwarders’ Standard Terms and Conditions (ADSp 2017), latest version.',
    { size: 6, family: SANS, fill: '#444', leading: 7.5 },
  );
  return [
    line(LEFT, pageHeight - 62, pageWidth - LEFT, pageHeight - 62, '#999', 0.4),
    fine.markup,
    text(pageWidth - LEFT, pageHeight - 24, `Page ${pageNumber} of ${pageCount}`, {
      size: 8,
      family: SANS,
      anchor: 'end',
    }),
  ].join('');
}

const BODY = { size: 10.5, family: SERIF, leading: 14.5 };
const BODY_WIDTH = A4_PT.width - 2 * LEFT;

function paragraphs(y: number, texts: string[], width = BODY_WIDTH): { markup: string; bottom: number } {
  let markup = '';
  let bottom = y;
  for (const content of texts) {
    const p = paragraph(LEFT, bottom, width, content, BODY);
    markup += p.markup;
    bottom = p.bottom + BODY.leading * 1.7;
  }
  return { markup, bottom };
}

function letterPage1(): string {
  const w = A4_PT.width;
  const parts = [
    letterhead(w),
    text(LEFT, 122, 'Northwind Logistics GmbH · Hafenstraße 12 · 20457 Hamburg', { size: 6.5, family: SANS }),
    line(LEFT, 124, LEFT + 178, 124, '#111', 0.3),
    ...[
      'Ms Jane Doe',
      'Acme Office Supplies Ltd.',
      'Purchasing Department',
      '42 Market Street',
      'Springfield 01234',
    ].map((l, i) => text(LEFT, 142 + i * 13, l, { size: 10.5 })),
    text(w - LEFT, 142, 'Hamburg, 14 March 2025', { size: 10.5, anchor: 'end' }),
    text(w - LEFT, 156, 'Our ref.: NW-2025-0317', { size: 8.5, family: SANS, anchor: 'end' }),
    text(w - LEFT, 167, 'Your ref.: PO 88412', { size: 8.5, family: SANS, anchor: 'end' }),
    text(LEFT, 238, 'Quotation for quarterly freight and warehousing services', {
      size: 11.5,
      weight: 'bold',
    }),
    text(LEFT, 266, 'Dear Ms Doe,', BODY),
  ];
  const body = paragraphs(288, [
    'Thank you for your enquiry of 3 March and for the time you and your colleagues took to show us your ' +
      'distribution centre in Springfield. As agreed during our visit, we are pleased to submit our quotation ' +
      'for the consolidated transport of your office supplies from the port of Hamburg to your regional ' +
      'warehouses, including customs clearance and short-term storage.',
    'Our offer is based on the volumes you forecast for the second quarter: about forty full container loads ' +
      'per month, of which roughly one third require temperature-controlled storage for printer consumables. ' +
      'Should the actual volumes differ by more than ten per cent, we will adjust the rates in line with the ' +
      'price table below without any further administrative charge.',
  ]);
  parts.push(body.markup);
  const tableTop = body.bottom - 4;
  parts.push(
    table(
      LEFT,
      tableTop,
      [205, 70, 95, 101],
      [
        ['Service', 'Quantity', 'Unit price', 'Amount'],
        ['Container transport Hamburg–Springfield', '40', '1,180.00 €', '47,200.00 €'],
        ['Customs clearance (per declaration)', '40', '65.00 €', '2,600.00 €'],
        ['Storage, temperature-controlled (pallet/week)', '120', '9.50 €', '1,140.00 €'],
        ['Handling and labelling', '1', '850.00 €', '850.00 €'],
        ['Total (net, per month)', '', '', '51,790.00 €'],
      ],
    ),
  );
  const after = paragraphs(tableTop + 6 * 17.1 + 24, [
    'All prices are in euro and exclude value added tax. Fuel and toll surcharges are included at the rates ' +
      'valid on the date of this letter and are reviewed monthly.',
  ]);
  parts.push(after.markup, footer(w, A4_PT.height, 1, 3));
  return parts.join('');
}

function letterPage2(): string {
  const w = A4_PT.width;
  const body = paragraphs(112, [
    'Transit times. Each container is collected within two working days of its release by the shipping line ' +
      'and delivered to your warehouse within a further three working days. Urgent consignments can be ' +
      'expedited on request; we will confirm the earliest possible delivery slot within two hours of your call.',
    'Customs. Our in-house customs team files all import declarations electronically and keeps the ' +
      'documents for the statutory period. Please send us the commercial invoices and packing lists no later ' +
      'than the day the vessel arrives, ideally as PDF or by fax to +49 40 555 0198, quoting the container number.',
    'Storage. Goods are stored in our bonded warehouse in Hamburg-Waltershof. Temperature-controlled areas are ' +
      'kept between 15 and 25 °C and monitored around the clock; you receive a weekly stock report by email ' +
      'and can request additional reports at any time.',
    'Insurance. Goods in transit and in storage are insured up to the limits of liability set out in the ' +
      'ADSp. On request we arrange additional cargo insurance covering the full invoice value plus ten per ' +
      'cent; the premium for your volumes would be 0.08 per cent of the insured value.',
    'Invoicing. We invoice monthly in arrears. Our invoices are payable within thirty days without deduction; ' +
      'for payment within ten days we grant a discount of two per cent on the transport charges.',
  ]);
  const schedule = table(
    LEFT,
    body.bottom,
    [120, 120, 231],
    [
      ['Milestone', 'Date', 'Responsible'],
      ['Signed quotation', '28 March 2025', 'Acme Office Supplies Ltd.'],
      ['Onboarding call', '2 April 2025', 'Northwind account team'],
      ['First collection', '7 April 2025', 'Northwind dispatch'],
    ],
  );
  return [letterhead(w), body.markup, schedule, footer(w, A4_PT.height, 2, 3)].join('');
}

function signature(x: number, y: number): string {
  return (
    `<path d="M${x} ${y} c 8 -22 14 -26 18 -8 s 4 18 12 -6 s 10 -14 12 4 c 2 10 8 8 14 -4 ` +
    `s 10 -12 14 2 s 6 8 16 -10 c 6 -8 12 -6 10 6 s 8 4 20 -8" fill="none" stroke="#1a2a6c" stroke-width="1.3"/>`
  );
}

function letterPage3(): string {
  const w = A4_PT.width;
  const body = paragraphs(112, [
    'This quotation is valid until 30 April 2025. If you would like to accept it, please sign and return a ' +
      'copy of this letter by fax or email; we will then send you our framework agreement for countersignature ' +
      'and schedule the onboarding call with your team.',
    'We are confident that our experience with office and printer supplies, and our location directly at the ' +
      'container terminals, will help you shorten your supply chain and lower your stock levels. Should you ' +
      'have any questions, please do not hesitate to contact me directly on +49 40 555 0142.',
    'We look forward to working with you.',
  ]);
  const y = body.bottom + 6;
  return [
    letterhead(w),
    body.markup,
    text(LEFT, y, 'Yours sincerely,', BODY),
    signature(LEFT + 4, y + 44),
    line(LEFT, y + 54, LEFT + 190, y + 54, '#111', 0.5),
    text(LEFT, y + 67, 'Martin Keller', { size: 10 }),
    text(LEFT, y + 79, 'Head of Sales, Northwind Logistics GmbH', { size: 8, family: SANS, fill: '#333' }),
    text(w - LEFT - 190, y, 'Accepted for Acme Office Supplies Ltd.:', { size: 8.5, family: SANS }),
    line(w - LEFT - 190, y + 54, w - LEFT, y + 54, '#111', 0.5),
    text(w - LEFT - 190, y + 67, 'Date, signature, company stamp', { size: 7, family: SANS, fill: '#333' }),
    footer(w, A4_PT.height, 3, 3),
  ].join('');
}

function formPage(): string {
  const w = A4_PT.width;
  const parts = [
    letterhead(w),
    text(LEFT, 116, 'Customer account application', { size: 15, weight: 'bold' }),
  ];
  const fields = [
    'Company name',
    'Street and number',
    'Postcode and city',
    'VAT ID',
    'Contact person',
    'Fax',
  ];
  fields.forEach((label, i) => {
    const y = 140 + i * 30;
    parts.push(
      text(LEFT, y, label, { size: 7.5, family: SANS, fill: '#333' }),
      rect(LEFT, y + 3, w - 2 * LEFT, 18),
    );
  });
  const boxes = ['Sea freight', 'Air freight', 'Road transport', 'Customs only', 'Storage'];
  boxes.forEach((label, i) => {
    const x = LEFT + i * 96;
    parts.push(rect(x, 330, 8, 8), text(x + 13, 337.5, label, { size: 8, family: SANS }));
  });
  parts.push(text(LEFT, 372, 'Terms and conditions (extract)', { size: 8, family: SANS, weight: 'bold' }));
  const clause =
    'The customer shall inform the forwarder in good time of all known factors that may affect the proper ' +
    'performance of the order, including the nature of the goods, their weight and dimensions, special ' +
    'technical requirements, and any obligations under customs, tax or foreign trade law. Liability for ' +
    'loss of or damage to goods in the custody of the forwarder is limited as set out in the applicable ' +
    'standard terms; claims must be notified in writing within seven days of delivery.';
  const columnWidth = (w - 2 * LEFT - 16) / 2;
  for (let column = 0; column < 2; column++) {
    let y = 388;
    for (let n = 1; n <= 6; n++) {
      const p = paragraph(
        LEFT + column * (columnWidth + 16),
        y,
        columnWidth,
        `${column * 6 + n}. ${clause}`,
        {
          size: 6,
          family: SANS,
          leading: 7.2,
          fill: '#222',
        },
      );
      parts.push(p.markup);
      y = p.bottom + 10;
    }
  }
  parts.push(
    line(LEFT, 770, LEFT + 200, 770),
    text(LEFT, 780, 'Place, date, signature', { size: 7, family: SANS }),
    footer(w, A4_PT.height, 1, 1),
  );
  return parts.join('');
}

function photoPage(): string {
  const { width: w, height: h } = A4_PT;
  const dots = Array.from({ length: 24 }, (_, i) => {
    const r = 4 + (i % 5) * 3;
    return `<circle cx="${70 + ((i * 97) % 460)}" cy="${560 + ((i * 53) % 180)}" r="${r}" fill="hsl(${(i * 37) % 360},70%,50%)" opacity="0.8"/>`;
  }).join('');
  return [
    '<defs>',
    '<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#0b3d91"/><stop offset="1" stop-color="#f6c177"/></linearGradient>',
    '<radialGradient id="sun"><stop offset="0" stop-color="#fffbe6"/><stop offset="1" stop-color="#ffb347" stop-opacity="0"/></radialGradient>',
    '<pattern id="checks" width="12" height="12" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#333"/><rect x="6" y="6" width="6" height="6" fill="#333"/></pattern>',
    '</defs>',
    `<rect x="40" y="40" width="${w - 80}" height="460" fill="url(#sky)"/>`,
    '<circle cx="420" cy="170" r="90" fill="url(#sun)"/>',
    `<polygon points="40,500 150,300 240,420 330,260 450,430 ${w - 40},320 ${w - 40},500" fill="#2d4a2b"/>`,
    `<polygon points="40,500 120,420 210,470 300,400 420,480 ${w - 40},430 ${w - 40},500" fill="#1b2e1a"/>`,
    `<rect x="40" y="540" width="${w - 80}" height="220" fill="#eee"/>`,
    dots,
    `<rect x="40" y="${h - 70}" width="160" height="24" fill="url(#checks)"/>`,
    text(w - 40, h - 52, 'Sunset over the terminal · photo page', { size: 9, family: SANS, anchor: 'end' }),
  ].join('');
}

function legalPage(): string {
  const { width: w, height: h } = LEGAL_PT;
  const clause =
    'The parties agree that the services described in the schedule shall be performed with the care of a ' +
    'prudent merchant, and that any amendment to this agreement requires written form; this also applies to ' +
    'any waiver of the written form requirement. Should any provision be or become invalid, the validity of ' +
    'the remaining provisions shall not be affected.';
  const body = Array.from({ length: 9 }, (_, i) => `§ ${i + 1}. ${clause}`);
  let y = 150;
  let markup = '';
  for (const content of body) {
    const p = paragraph(LEFT, y, w - 2 * LEFT, content, BODY);
    markup += p.markup;
    y = p.bottom + 22;
  }
  return [
    letterhead(w),
    text(w / 2, 120, 'Framework Services Agreement', { size: 15, weight: 'bold', anchor: 'middle' }),
    markup,
    footer(w, h, 1, 1),
  ].join('');
}

function svgPage(id: string, size: { width: number; height: number }, markup: string): OriginalPage {
  return { id, width: size.width, height: size.height, content: { kind: 'svg', markup } };
}

/** The built-in original of that name; pages are built lazily once and shared. */
export function sampleOriginal(name: SampleName): Original {
  const cached = cache.get(name);
  if (cached) return cached;
  const original = buildSample(name);
  cache.set(name, original);
  return original;
}

const cache = new Map<SampleName, Original>();

function buildSample(name: SampleName): Original {
  switch (name) {
    case 'letter':
      return {
        name,
        pages: [letterPage1(), letterPage2(), letterPage3()].map((m, i) => svgPage(`letter-${i + 1}`, A4, m)),
      };
    case 'form':
      return { name, pages: [svgPage('form-1', A4, formPage())] };
    case 'photo':
      return { name, pages: [svgPage('photo-1', A4, photoPage())] };
    case 'blank':
      return { name, pages: [svgPage('blank-1', A4, '')] };
    case 'skewed': {
      // Paper fed slightly askew, as ADFs do: the fax pipeline's deskew/threshold must cope.
      const markup = `<g transform="rotate(1.5 ${A4_PT.width / 2} ${A4_PT.height / 2})">${letterPage1()}</g>`;
      return { name, pages: [svgPage('skewed-1', A4, markup)] };
    }
    case 'legal':
      return { name, pages: [svgPage('legal-1', LEGAL, legalPage())] };
  }
}

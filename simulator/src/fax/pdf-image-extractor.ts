/**
 * Finds the image XObjects of each page of a PDF, with what a decoder needs to know about them.
 * No I/O, no rendering: a fax page is one bitmap, so the page's images are all we look at.
 */
import { PdfDocument, PdfSyntaxError, isDict, isName, type PdfDict, type PdfValue } from './pdf-syntax.ts';

export interface PdfImage {
  width: number;
  height: number;
  bitsPerComponent: number;
  /** DeviceGray, DeviceRGB, DeviceCMYK, Indexed…; undefined for image masks. */
  colorSpace: string | undefined;
  /** Filter chain in order of application when decoding. */
  filters: string[];
  /** /DecodeParms per filter (undefined where absent), as plain values. */
  decodeParms: (Record<string, number | boolean> | undefined)[];
  /** /Decode [1 0]: sample values are inverted. */
  decodeInverted: boolean;
  imageMask: boolean;
  /** The stream bytes, still encoded. */
  data: Buffer;
}

export interface PdfPage {
  images: PdfImage[];
}

export function extractPdfImages(pdf: Buffer): PdfPage[] {
  const doc = new PdfDocument(pdf);
  return findPages(doc).map((page) => ({ images: imagesOf(doc, page.resources, 0, new Set()) }));
}

interface PageNode {
  dict: PdfDict;
  resources: PdfDict | undefined;
}

function findPages(doc: PdfDocument): PageNode[] {
  const catalogs = [...doc.objects.values()].filter(
    (o) => isDict(o.value) && isName(o.value.entries.get('Type'), 'Catalog'),
  );
  const catalog = catalogs.at(-1)?.value;
  const pages: PageNode[] = [];
  if (isDict(catalog)) {
    const seen = new Set<PdfDict>();
    const walk = (node: PdfValue | undefined, inherited: PdfDict | undefined): void => {
      if (!isDict(node) || seen.has(node)) return;
      seen.add(node);
      const own = doc.get(node, 'Resources');
      const resources = isDict(own) ? own : inherited;
      const kids = doc.get(node, 'Kids');
      if (Array.isArray(kids)) for (const kid of kids) walk(doc.resolve(kid), resources);
      else if (isName(doc.get(node, 'Type'), 'Page')) pages.push({ dict: node, resources });
    };
    walk(doc.get(catalog, 'Pages'), undefined);
  }
  if (pages.length > 0) return pages;
  // No usable page tree: fall back to the page objects in object-number order.
  const loose = [...doc.objects.entries()]
    .filter(([, o]) => isDict(o.value) && isName(o.value.entries.get('Type'), 'Page'))
    .sort(([a], [b]) => a - b)
    .map(([, o]) => o.value as PdfDict);
  if (loose.length === 0) throw new PdfSyntaxError('the PDF has no pages');
  return loose.map((dict) => {
    const resources = doc.get(dict, 'Resources');
    return { dict, resources: isDict(resources) ? resources : undefined };
  });
}

/**
 * `seen` holds the forms already looked into on this page: a form that lists itself (or another
 * form) many times would otherwise be walked an exponential number of times.
 */
function imagesOf(
  doc: PdfDocument,
  resources: PdfDict | undefined,
  depth: number,
  seen: Set<PdfDict>,
): PdfImage[] {
  if (!resources || depth > 4) return [];
  const xobjects = doc.get(resources, 'XObject');
  if (!isDict(xobjects)) return [];
  const images: PdfImage[] = [];
  for (const ref of xobjects.entries.values()) {
    const obj = doc.object(ref);
    if (!obj || !isDict(obj.value) || !obj.stream) continue;
    const subtype = doc.get(obj.value, 'Subtype');
    if (isName(subtype, 'Image')) images.push(describeImage(doc, obj.value, obj.stream));
    else if (isName(subtype, 'Form') && !seen.has(obj.value)) {
      seen.add(obj.value);
      const formResources = doc.get(obj.value, 'Resources');
      images.push(...imagesOf(doc, isDict(formResources) ? formResources : undefined, depth + 1, seen));
    }
  }
  return images;
}

function describeImage(doc: PdfDocument, dict: PdfDict, data: Buffer): PdfImage {
  const num = (key: string, fallback: number): number => {
    const value = doc.get(dict, key);
    return typeof value === 'number' ? value : fallback;
  };
  const filter = doc.get(dict, 'Filter');
  const filters = (Array.isArray(filter) ? filter : filter === undefined ? [] : [filter])
    .map((f) => doc.resolve(f))
    .map((f) => (isName(f) ? f.name : 'unknown'));
  const parms = doc.get(dict, 'DecodeParms');
  const parmList = Array.isArray(parms) ? parms : [parms];
  const colorSpace = doc.get(dict, 'ColorSpace');
  const decode = doc.get(dict, 'Decode');
  const imageMask = doc.get(dict, 'ImageMask') === true;
  return {
    width: num('Width', 0),
    height: num('Height', 0),
    bitsPerComponent: imageMask ? 1 : num('BitsPerComponent', 8),
    colorSpace: isName(colorSpace)
      ? colorSpace.name
      : Array.isArray(colorSpace)
        ? nameAt(doc, colorSpace, 0)
        : undefined,
    filters,
    decodeParms: filters.map((_, i) => plainDict(doc, doc.resolve(parmList[i]))),
    decodeInverted: Array.isArray(decode) && decode[0] === 1 && decode[1] === 0,
    imageMask,
    data,
  };
}

function nameAt(doc: PdfDocument, array: PdfValue[], i: number): string | undefined {
  const value = doc.resolve(array[i]);
  return isName(value) ? value.name : undefined;
}

function plainDict(
  doc: PdfDocument,
  value: PdfValue | undefined,
): Record<string, number | boolean> | undefined {
  if (!isDict(value)) return undefined;
  const out: Record<string, number | boolean> = {};
  for (const key of value.entries.keys()) {
    const v = doc.get(value, key);
    if (typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  return out;
}

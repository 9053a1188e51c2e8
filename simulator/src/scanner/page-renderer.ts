import PDFDocument from 'pdfkit';
import sharp, { type Sharp } from 'sharp';
import { encodeBilevelPng } from './bilevel-png.ts';
import type { EsclColorMode, EsclDocumentFormat, EsclInputSource } from './escl-capabilities.ts';
import type { OriginalPage } from './original.ts';
import { PdfRasterizer } from './pdf-rasterizer.ts';
import type { ScanRegion } from './scan-settings.ts';

export interface RenderRequest {
  page: OriginalPage;
  source: EsclInputSource;
  resolution: number;
  colorMode: EsclColorMode;
  documentFormat: EsclDocumentFormat;
  region: ScanRegion | null;
}

export interface ScannedImage {
  data: Buffer;
  contentType: EsclDocumentFormat;
  width: number;
  height: number;
  bytesPerLine: number;
}

const WHITE = { r: 255, g: 255, b: 255 };

/** The part of the glass the scanner reads, in 1/300 inch. */
export function scanArea(request: RenderRequest): ScanRegion {
  const { page, region, source } = request;
  if (!region) return { x: 0, y: 0, width: page.width, height: page.height };
  // An ADF stops reading at the trailing edge of the sheet; a flatbed reads the whole region.
  if (source === 'Feeder') {
    return { ...region, height: Math.max(16, Math.min(region.height, page.height - region.y)) };
  }
  return region;
}

/**
 * Turns an original page into what a scanner would deliver at the requested settings. Results are
 * cached (bounded by bytes) since testers scan the same stack again and again.
 */
export class PageRenderer {
  readonly #maxCacheBytes: number;
  readonly #pdf: PdfRasterizer;
  readonly #cache = new Map<string, { image: Promise<ScannedImage>; bytes: number }>();
  #cachedBytes = 0;

  constructor(options: { maxCacheBytes?: number; pdf?: PdfRasterizer } = {}) {
    this.#maxCacheBytes = options.maxCacheBytes ?? 96 * 1024 * 1024;
    this.#pdf = options.pdf ?? new PdfRasterizer();
  }

  render(request: RenderRequest): Promise<ScannedImage> {
    const area = scanArea(request);
    const key = [
      request.page.id,
      request.resolution,
      request.colorMode,
      request.documentFormat,
      area.x,
      area.y,
      area.width,
      area.height,
    ].join('|');
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit.image;
    }
    const entry = { image: renderUncached(request, area, this.#pdf), bytes: 0 };
    this.#cache.set(key, entry);
    entry.image.then(
      (image) => {
        if (this.#cache.get(key) !== entry) return;
        entry.bytes = image.data.length;
        this.#cachedBytes += entry.bytes;
        this.#evict();
      },
      () => this.#cache.delete(key),
    );
    return entry.image;
  }

  /** Forgets cached scans and closes the PDFs kept open for rendering. */
  async clear(): Promise<void> {
    this.#cache.clear();
    this.#cachedBytes = 0;
    await this.#pdf.close();
  }

  #evict(): void {
    for (const [key, entry] of this.#cache) {
      if (this.#cachedBytes <= this.#maxCacheBytes) break;
      this.#cache.delete(key);
      this.#cachedBytes -= entry.bytes;
    }
  }
}

function px(inThreeHundredths: number, dpi: number): number {
  return Math.max(1, Math.round((inThreeHundredths * dpi) / 300));
}

async function pagePipeline(
  page: OriginalPage,
  width: number,
  height: number,
  pdf: PdfRasterizer,
): Promise<Sharp> {
  if (page.content.kind === 'pdf') {
    const { data, page: number, extraRotation } = page.content;
    const raster = await pdf.render(data, number, { width, height, extraRotation });
    return sharp(raster.data, { raw: { width, height, channels: raster.channels } });
  }
  if (page.content.kind === 'image') {
    return sharp(page.content.data, { page: page.content.page })
      .rotate()
      .flatten({ background: WHITE })
      .resize(width, height, { fit: 'fill' });
  }
  const ptWidth = (page.width / 300) * 72;
  const ptHeight = (page.height / 300) * 72;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${ptWidth} ${ptHeight}" preserveAspectRatio="none">` +
    `<rect width="${ptWidth}" height="${ptHeight}" fill="#fff"/>${page.content.markup}</svg>`;
  return sharp(Buffer.from(svg), { density: 72 }).flatten({ background: WHITE });
}

async function renderUncached(
  request: RenderRequest,
  area: ScanRegion,
  pdf: PdfRasterizer,
): Promise<ScannedImage> {
  const dpi = request.resolution;
  const pageWidth = px(request.page.width, dpi);
  const pageHeight = px(request.page.height, dpi);
  const width = px(area.width, dpi);
  const height = px(area.height, dpi);
  const left = Math.round((area.x * dpi) / 300);
  const top = Math.round((area.y * dpi) / 300);
  const color = request.colorMode === 'RGB24';
  const channels = color ? 3 : 1;

  let base = await pagePipeline(request.page, pageWidth, pageHeight, pdf);
  base = color ? base.toColourspace('srgb') : base.toColourspace('b-w');
  const raw = await base.raw().toBuffer({ resolveWithObject: true });
  // libvips may keep an alpha band; the scan has none.
  let pixels = sharp(raw.data, {
    raw: { width: pageWidth, height: pageHeight, channels: raw.info.channels },
  });
  if (raw.info.channels !== channels) pixels = pixels.extractChannel(0).toColourspace(color ? 'srgb' : 'b-w');

  const insideWidth = Math.min(left + width, pageWidth) - left;
  const insideHeight = Math.min(top + height, pageHeight) - top;
  let scan: Sharp;
  if (insideWidth <= 0 || insideHeight <= 0) {
    // Nothing of the page inside the scan area: white glass.
    scan = sharp({ create: { width, height, channels: 3, background: WHITE } });
  } else {
    scan = pixels
      .extract({ left, top, width: insideWidth, height: insideHeight })
      .extend({ right: width - insideWidth, bottom: height - insideHeight, background: WHITE });
  }
  return encode(scan, request, width, height);
}

async function encode(scan: Sharp, request: RenderRequest, width: number, height: number) {
  const dpi = request.resolution;
  const bytesPerLine =
    request.colorMode === 'RGB24'
      ? width * 3
      : request.colorMode === 'Grayscale8'
        ? width
        : Math.ceil(width / 8);
  const image = (data: Buffer, contentType: EsclDocumentFormat): ScannedImage => ({
    data,
    contentType,
    width,
    height,
    bytesPerLine,
  });

  if (request.colorMode === 'BlackAndWhite1') {
    const band = await scan.toColourspace('b-w').extractChannel(0).raw().toBuffer();
    if (request.documentFormat === 'image/png')
      return image(encodeBilevelPng(band, width, height, dpi), 'image/png');
    // JPEG cannot carry 1 bit: devices send thresholded grey, so do we.
    const jpeg = await sharp(band, { raw: { width, height, channels: 1 } })
      .threshold(128)
      .toColourspace('b-w')
      .jpeg({ quality: 90 })
      .withDensity(dpi)
      .toBuffer();
    if (request.documentFormat === 'image/jpeg') return image(jpeg, 'image/jpeg');
    return image(await jpegToPdf(jpeg, width, height, dpi), 'application/pdf');
  }

  const colourspace = request.colorMode === 'RGB24' ? 'srgb' : 'b-w';
  const prepared = scan.toColourspace(colourspace).withDensity(dpi);
  if (request.documentFormat === 'image/png') return image(await prepared.png().toBuffer(), 'image/png');
  const jpeg = await prepared.jpeg({ quality: 85 }).toBuffer();
  if (request.documentFormat === 'image/jpeg') return image(jpeg, 'image/jpeg');
  return image(await jpegToPdf(jpeg, width, height, dpi), 'application/pdf');
}

/** One PDF page the size of the scan area, holding the JPEG as is (what scanners do for PDF). */
function jpegToPdf(jpeg: Buffer, width: number, height: number, dpi: number): Promise<Buffer> {
  const pageWidth = (width / dpi) * 72;
  const pageHeight = (height / dpi) * 72;
  const doc = new PDFDocument({ size: [pageWidth, pageHeight], margin: 0, autoFirstPage: true });
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.image(jpeg, 0, 0, { width: pageWidth, height: pageHeight });
    doc.end();
  });
}

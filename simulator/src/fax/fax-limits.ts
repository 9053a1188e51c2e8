/**
 * How much the fax modem holds and decodes at most. A real FaxOut device has limits too; these keep
 * one request, or one job's decoding, from eating the memory and the event loop of a process the
 * edge may share (`npm start` runs both). Decompression and decoding are synchronous, so each step
 * is bounded by these numbers, never by what a document claims about itself.
 */
export interface FaxLimits {
  /** One document after decompression, in bytes (client-error-request-entity-too-large beyond). */
  maxDocumentBytes: number;
  /** Documents one job may have (Send-Document). */
  maxDocumentsPerJob: number;
  /** One job's documents together, in bytes. */
  maxJobBytes: number;
  /** Documents held by every job not yet decoded, in bytes: beyond it the modem is busy. */
  maxHeldBytes: number;
  /** Pages one job's documents may decode to (the cover sheet aside). */
  maxPagesPerJob: number;
  /** Pixels of one page (width × height), as the document declares them and once scaled to fax width. */
  maxPagePixels: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_FAX_LIMITS: Readonly<FaxLimits> = Object.freeze({
  maxDocumentBytes: 64 * MIB,
  maxDocumentsPerJob: 16,
  maxJobBytes: 128 * MIB,
  maxHeldBytes: 256 * MIB,
  maxPagesPerJob: 1000,
  // A Legal page at 600 dpi is 43 Mpx; a fax page at superfine resolution is under 10 Mpx.
  maxPagePixels: 50_000_000,
});

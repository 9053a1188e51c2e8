/**
 * A response body read with a byte limit: a device that sends more than it should (a runaway scan,
 * a looping firmware) must not fill the edge's memory. Bytes are counted as they stream in and the
 * body is cancelled at the first chunk past the limit, so at most `maxBytes` are ever held.
 */

/** The body was longer than the caller accepts; `declared` when the Content-Length said so up front. */
export class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
  readonly maxBytes: number;
  readonly declared: number | undefined;

  constructor(maxBytes: number, declared?: number) {
    super(
      declared === undefined
        ? `the answer is longer than ${formatBytes(maxBytes)}`
        : `the answer announces ${formatBytes(declared)}, more than ${formatBytes(maxBytes)}`,
    );
    this.name = 'BodyTooLargeError';
    this.maxBytes = maxBytes;
    this.declared = declared;
  }
}

export interface CappedBodyOptions {
  maxBytes: number;
  /** Runs after every chunk, e.g. to re-arm an idle timer. */
  onChunk?: () => void;
  /**
   * The request's controller: aborted before the body is cancelled, so the transport drops the
   * connection instead of reading the rest of an oversized body away to reuse it.
   */
  abort?: AbortController;
}

/** The whole body, or BodyTooLargeError once more than `maxBytes` arrive or are announced. */
export async function readCappedBody(response: Response, options: CappedBodyOptions): Promise<Buffer> {
  const { maxBytes, onChunk = () => {}, abort } = options;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    const error = new BodyTooLargeError(maxBytes, declared);
    abort?.abort(error);
    await response.body?.cancel().catch(() => {});
    throw error;
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        const error = new BodyTooLargeError(maxBytes);
        abort?.abort(error);
        await reader.cancel().catch(() => {});
        throw error;
      }
      chunks.push(value);
      onChunk();
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, received);
}

/** 64 MiB, 1.5 MiB, 512 bytes: limits read as people write them. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}

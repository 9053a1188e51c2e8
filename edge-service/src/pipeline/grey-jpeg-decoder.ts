import { createRequire } from 'node:module';

/**
 * Greyscale JPEG decoding through libjpeg-turbo's TurboJPEG API (`@julusian/jpeg-turbo`, prebuilt
 * with its own libjpeg-turbo 3.1), for the scans the fax engine asks for: one-channel JPEGs. libvips'
 * jpegload spends ~42 ms of CPU on an A4 300 dpi grey page where TurboJPEG spends ~18 (`npm run bench`
 * prints both): it was the largest stage of a fax page. The decode runs on libuv's thread pool, never
 * on the event loop. TurboJPEG reports libjpeg's warnings (a truncated file) as errors, so a half-grey
 * page is refused here as libvips refuses it with failOn 'warning'. Where the prebuilt addon does not
 * load (a platform it has no binary for), `greyJpegDecoder()` is undefined and pages go through
 * libvips as before.
 */
export interface GreyJpegDecoder {
  /** The page's grey pels, `width × height`, in an ArrayBuffer of their own (a pool thread can take it). */
  decode(jpeg: Buffer, width: number, height: number): Promise<Uint8Array>;
}

interface TurboJpeg {
  FORMAT_GRAY: number;
  decompress(
    image: Buffer,
    out: Buffer,
    options: { format: number },
  ): Promise<{ width: number; height: number; data: Buffer }>;
}

let loaded: GreyJpegDecoder | null | undefined;

export function greyJpegDecoder(): GreyJpegDecoder | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): GreyJpegDecoder | null {
  let turbo: TurboJpeg;
  try {
    turbo = createRequire(import.meta.url)('@julusian/jpeg-turbo') as TurboJpeg;
  } catch {
    return null;
  }
  return {
    async decode(jpeg, width, height) {
      const pixels = new Uint8Array(width * height);
      let result;
      try {
        result = await turbo.decompress(jpeg, Buffer.from(pixels.buffer), { format: turbo.FORMAT_GRAY });
      } catch (error) {
        // After a libjpeg warning TurboJPEG's message is often just "No error".
        const reason =
          error instanceof Error && !/^no error$/i.test(error.message) ? ` (${error.message})` : '';
        throw new Error(`its JPEG data is damaged or cut short${reason}`, { cause: error });
      }
      if (result.width !== width || result.height !== height) {
        throw new Error(`decoded ${result.width}×${result.height}, the header said ${width}×${height}`);
      }
      return pixels;
    },
  };
}

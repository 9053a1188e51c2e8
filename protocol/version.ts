/** The panel↔edge protocol version this code speaks. Bump with a dated entry in CHANGES.md. */
export const PROTOCOL_VERSION = 1;

/** Versions an edge of this build can serve; `hello` picks the highest one both sides share. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];

/** Largest WebSocket text frame either side accepts; bigger frames close the socket (1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The panel must send `hello` within this time after connecting, or the edge closes the socket. */
export const HELLO_TIMEOUT_MS = 10_000;

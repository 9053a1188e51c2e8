/** The panel↔edge protocol version this code speaks. Bump with a dated entry in CHANGES.md. */
export const PROTOCOL_VERSION = 1;

/** Versions an edge of this build can serve; `hello` picks the highest one both sides share. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1];

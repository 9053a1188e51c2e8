/**
 * The one place the edge touches node-ipp 2.0.1. Pure: bytes in, bytes out, no I/O. Split by concern:
 * - node-ipp-table.ts: node-ipp's attribute table, patched with the FaxOut attributes it lacks;
 * - node-ipp-decode.ts: our own RFC 8010 decoder (node-ipp's parser cannot be fixed from outside);
 * - node-ipp-encode.ts: node-ipp's serializer with its date and text-with-language bugs fixed;
 * - node-ipp-types.ts and node-ipp-errors.ts: the values and failures they share.
 * Callers import from here only. Each node-ipp fault is pinned in
 * test/edge-service/drivers/ipp/node-ipp.test.ts.
 */
export { decodeRequest, decodeResponse } from './node-ipp-decode.ts';
export { encodeRequest, encodeResponse } from './node-ipp-encode.ts';
export { IppDecodeError, IppEncodeError } from './node-ipp-errors.ts';
export type {
  IppAttributes,
  IppAttributeValue,
  IppCollection,
  IppDecodedRequest,
  IppDecodedResponse,
  IppEncodeGroups,
  IppGroup,
  IppGroupName,
  IppRange,
  IppRequestMessage,
  IppResolution,
  IppResponseMessage,
  IppTextWithLanguage,
  IppValue,
} from './node-ipp-types.ts';

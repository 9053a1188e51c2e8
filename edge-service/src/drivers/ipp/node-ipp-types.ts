/** The values and messages of the edge's IPP codec (node-ipp.ts): plain data, no I/O. */

export interface IppRange {
  lower: number;
  upper: number;
}
export interface IppResolution {
  x: number;
  y: number;
  units: 'dpi' | 'dpcm';
}
export interface IppTextWithLanguage {
  lang: string;
  value: string;
}
export interface IppCollection {
  [member: string]: IppAttributeValue;
}
/**
 * One value. Enums decode to their keyword when node-ipp knows it, else to the number. Out-of-band
 * values (no-value, unknown, unsupported) decode to null; values of unknown syntax to a Buffer.
 */
export type IppValue =
  | string
  | number
  | boolean
  | Date
  | null
  | Buffer
  | IppRange
  | IppResolution
  | IppTextWithLanguage
  | IppCollection;
/** A 1setOf attribute is always an array, even with one value; others are a bare value. */
export type IppAttributeValue = IppValue | IppValue[];
export type IppAttributes = Record<string, IppAttributeValue>;

export type IppGroupName =
  | 'operation-attributes-tag'
  | 'job-attributes-tag'
  | 'printer-attributes-tag'
  | 'unsupported-attributes-tag'
  | 'subscription-attributes-tag'
  | 'event-notification-attributes-tag'
  | 'resource-attributes-tag'
  | 'document-attributes-tag'
  | 'system-attributes-tag';

export interface IppGroup {
  name: IppGroupName | `group-${string}`;
  attributes: IppAttributes;
}

export interface DecodedMessage {
  version: string;
  requestId: number;
  /** In wire order; a Get-Jobs response has one job group per job. */
  groups: IppGroup[];
  /** The document after end-of-attributes (Send-Document/Print-Job), empty in most responses. */
  data: Buffer;
}
export interface IppDecodedResponse extends DecodedMessage {
  statusCode: number;
  /** The IPP status keyword, e.g. `client-error-not-found`, or `0x…` when unknown. */
  status: string;
}
export interface IppDecodedRequest extends DecodedMessage {
  operationId: number;
  /** e.g. `Create-Job`, or `0x…` when unknown. */
  operation: string;
}

export interface IppEncodeGroups {
  operationAttributes?: IppAttributes;
  jobAttributes?: IppAttributes;
  printerAttributes?: IppAttributes;
  documentAttributes?: IppAttributes;
}
export interface IppRequestMessage extends IppEncodeGroups {
  operation: string;
  requestId: number;
  version?: '1.1' | '2.0' | '2.1';
  data?: Buffer;
}
export interface IppResponseMessage extends IppEncodeGroups {
  /** An IPP status keyword, e.g. `successful-ok`. */
  status: string;
  requestId: number;
  version?: '1.1' | '2.0' | '2.1';
}

/**
 * node-ipp 2.0.1's attribute table, loaded once and patched process-wide: the FaxOut attributes
 * (`destination-uris`, `destination-statuses`, …, PWG 5100.15), a few of PWG 5100.13 and RFC 8011,
 * and the `transmission-status` enum are missing from it, so its serializer refuses them. Importing
 * this module registers them (only where node-ipp has no entry of its own).
 */
import { createRequire } from 'node:module';

// node-ipp ships no types; a local view of what we use keeps the any-typed surface in these files.
export type Syntax = {
  type: string;
  tag?: number;
  setof?: boolean;
  max?: number;
  min?: number;
  members?: Record<string, Syntax>;
};
type XrefTable = Record<string, number> & { lookup: (string | undefined)[] };
interface NodeIpp {
  serialize(message: object): Buffer;
  attributes: Record<string, Record<string, Syntax>>;
  enums: Record<string, XrefTable>;
  statusCodes: XrefTable;
  operations: XrefTable;
  tags: XrefTable;
}
export const ipp = createRequire(import.meta.url)('ipp') as NodeIpp;

/** RFC 8010 §3.5 delimiter: the end of the attribute groups. */
export const END_OF_ATTRIBUTES = 0x03;

export const TAG = {
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  extension: 0x7f,
} as const;

const MAX_INT = 2147483647;
const syntax = {
  uri: (): Syntax => ({ type: 'uri', tag: TAG.uri, max: 1023 }),
  uriScheme: (): Syntax => ({ type: 'uriScheme', tag: TAG.uriScheme, max: 63 }),
  text: (max = 1023): Syntax => ({ type: 'text', max }),
  name: (max = 1023): Syntax => ({ type: 'name', max }),
  keyword: (): Syntax => ({ type: 'keyword', tag: TAG.keyword, min: 1, max: 1023 }),
  integer: (min = 0, max = MAX_INT): Syntax => ({ type: 'integer', tag: TAG.integer, min, max }),
  boolean: (): Syntax => ({ type: 'boolean', tag: TAG.boolean }),
  enumeration: (): Syntax => ({ type: 'enumeration', tag: TAG.enum }),
  mimeMediaType: (): Syntax => ({ type: 'mimeMediaType', tag: TAG.mimeMediaType, max: 255 }),
  collection: (members: Record<string, Syntax> = {}): Syntax => ({
    type: 'collection',
    tag: TAG.begCollection,
    members,
  }),
  setof: (inner: Syntax): Syntax => ({ ...inner, setof: true }),
};

const DESTINATION_URIS = syntax.setof(
  syntax.collection({
    'destination-uri': syntax.uri(),
    'pre-dial-string': syntax.text(),
    't33-subaddress': syntax.integer(1),
    'destination-attributes': syntax.setof(syntax.collection()),
  }),
);
const DESTINATION_STATUSES = syntax.setof(
  syntax.collection({
    'destination-uri': syntax.uri(),
    'images-completed': syntax.integer(0),
    'transmission-status': syntax.enumeration(),
  }),
);

const REGISTRATIONS: Record<string, Record<string, Syntax>> = {
  'Job Template': {
    'destination-uris': DESTINATION_URIS,
  },
  'Job Description': {
    'destination-statuses': DESTINATION_STATUSES,
    'job-pages-completed': syntax.integer(0),
    'job-impressions-completed': syntax.integer(0),
    'job-printer-state-reasons': syntax.setof(syntax.keyword()),
    'job-printer-state-message': syntax.text(),
  },
  'Printer Description': {
    'destination-uri-schemes-supported': syntax.setof(syntax.uriScheme()),
    'destination-uris-supported': syntax.setof(syntax.keyword()),
    'multiple-destination-uris-supported': syntax.boolean(),
    'printer-fax-modem-name': syntax.name(),
    'printer-fax-modem-number': syntax.uri(),
    'printer-fax-log-uri': syntax.uri(),
    'printer-uuid': syntax.uri(),
    'printer-more-info': syntax.uri(),
    'printer-device-id': syntax.text(),
  },
};

// PWG 5100.15 §7.3 transmission-status; the rest of the enum registry is node-ipp's.
const TRANSMISSION_STATUS: (string | undefined)[] = [];
TRANSMISSION_STATUS[3] = 'pending';
TRANSMISSION_STATUS[4] = 'pending-retry';
TRANSMISSION_STATUS[5] = 'processing';
TRANSMISSION_STATUS[7] = 'canceled';
TRANSMISSION_STATUS[8] = 'aborted';
TRANSMISSION_STATUS[9] = 'completed';

function register(): void {
  for (const [group, entries] of Object.entries(REGISTRATIONS)) {
    const table = (ipp.attributes[group] ??= {});
    for (const [name, entry] of Object.entries(entries)) table[name] ??= entry;
  }
  if (!ipp.enums['transmission-status']) {
    const table = { lookup: TRANSMISSION_STATUS } as XrefTable;
    TRANSMISSION_STATUS.forEach((name, value) => {
      if (name !== undefined) table[name] = value;
    });
    ipp.enums['transmission-status'] = table;
  }
}
register();

/** Every attribute name node-ipp knows (plus ours), with its syntax; the first table wins. */
export const SYNTAX_BY_NAME: Map<string, Syntax> = (() => {
  const map = new Map<string, Syntax>();
  for (const table of Object.values(ipp.attributes)) {
    for (const [name, entry] of Object.entries(table)) if (!map.has(name)) map.set(name, entry);
  }
  // Registered 1setOf wins over node-ipp's single-valued Operation-group duplicates.
  for (const entries of Object.values(REGISTRATIONS))
    for (const [name, s] of Object.entries(entries)) map.set(name, s);
  return map;
})();

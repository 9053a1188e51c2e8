import { EdgeError } from '../../edge-error.ts';

/** One attribute type and value of an RDN: `ou=Sales\, Paris` is { type: 'ou', value: 'Sales, Paris' }. */
export interface Ava {
  /** Lower case (attribute type names are case-insensitive); a numeric OID as given. */
  type: string;
  /** The value, unescaped (UTF-8 text); a `#hex` value is kept as its `#hex` form. */
  value: string;
}

/** An RDN is one or more AVAs joined by `+` (multi-valued: `cn=Ann+uid=ann`). */
export type Rdn = Ava[];

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$/;
const HEX = /^[0-9A-Fa-f]{2}$/;
const SPECIAL = new Set(['"', '+', ',', ';', '<', '>', '\\', ' ', '#', '=']);

const invalid = (dn: string, why: string): EdgeError =>
  new EdgeError('LDAP_DN_INVALID', `"${dn}" is not a valid distinguished name (RFC 4514): ${why}.`);

/**
 * Parses a distinguished name as RFC 4514 writes it, and what older servers still send (RFC 2253 /
 * 1779): escaped specials (`\,` `\+` `\"` `\\` `\#` `\=` `\ `), hex escapes (`\2C`, UTF-8 byte
 * sequences such as `\C3\A9` for é), quoted values (`cn="Doe, John"`), multi-valued RDNs with `+`,
 * `;` as a separator, spaces around separators, UTF-8 text and `#`-hex BER values. The directory's
 * first RDN comes first. LDAP_DN_INVALID for anything else.
 */
export function parseDn(dn: string): Rdn[] {
  if (typeof dn !== 'string') throw invalid(String(dn), 'not text');
  if (dn.length > 4096) throw invalid(dn.slice(0, 40) + '…', 'too long');
  const rdns: Rdn[] = [];
  if (dn.trim() === '') return rdns;
  let i = 0;
  const n = dn.length;
  const skipSpaces = () => {
    while (i < n && dn[i] === ' ') i++;
  };
  let rdn: Rdn = [];
  for (;;) {
    skipSpaces();
    // attributeType
    const start = i;
    while (i < n && dn[i] !== '=' && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') i++;
    let type = dn.slice(start, i).trim();
    if (i >= n || dn[i] !== '=') throw invalid(dn, `"${type}" has no "="`);
    if (/^oid\./i.test(type)) type = type.slice(4);
    if (!TYPE.test(type)) throw invalid(dn, `"${type}" is not an attribute type`);
    i++; // '='
    skipSpaces();
    let value: string;
    if (dn[i] === '#') {
      // hexstring: the BER encoding of the value, kept as written (lower case).
      const m = /^#((?:[0-9A-Fa-f]{2})+)/.exec(dn.slice(i));
      if (!m) throw invalid(dn, 'a "#" value must be hex pairs');
      value = `#${m[1]!.toLowerCase()}`;
      i += m[0].length;
      skipSpaces();
    } else if (dn[i] === '"') {
      // RFC 1779 / 2253 quoted value: everything up to the closing quote, \" and \\ escaped.
      i++;
      const bytes: number[] = [];
      for (;;) {
        if (i >= n) throw invalid(dn, 'a quoted value is not closed');
        const c = dn[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          i = readEscape(dn, i, bytes);
          continue;
        }
        pushChar(bytes, dn, i);
        i += dn.codePointAt(i)! > 0xffff ? 2 : 1;
      }
      value = decodeUtf8(dn, bytes);
      skipSpaces();
    } else {
      const bytes: number[] = [];
      // Index in `bytes` after the last byte that was escaped or not a space: trailing unescaped
      // spaces are not part of the value.
      let keep = 0;
      while (i < n) {
        const c = dn[i]!;
        if (c === ',' || c === '+' || c === ';') break;
        if (c === '\\') {
          i = readEscape(dn, i, bytes);
          keep = bytes.length;
          continue;
        }
        // RFC 4514 §3: these must be escaped; "=" and an inner "#" need not be.
        if (c === '"' || c === '<' || c === '>' || c === '\0')
          throw invalid(dn, `"${c}" must be escaped in a value`);
        pushChar(bytes, dn, i);
        i += dn.codePointAt(i)! > 0xffff ? 2 : 1;
        if (c !== ' ') keep = bytes.length;
      }
      value = decodeUtf8(dn, bytes.slice(0, keep));
    }
    rdn.push({ type: type.toLowerCase(), value });
    if (i >= n) {
      rdns.push(rdn);
      return rdns;
    }
    const sep = dn[i]!;
    i++;
    if (sep === '+') continue;
    if (sep !== ',' && sep !== ';') throw invalid(dn, `unexpected "${sep}"`);
    rdns.push(rdn);
    rdn = [];
    if (dn.slice(i).trim() === '') throw invalid(dn, 'it ends with a separator');
  }
}

function pushChar(bytes: number[], dn: string, i: number): void {
  for (const b of Buffer.from(String.fromCodePoint(dn.codePointAt(i)!), 'utf8')) bytes.push(b);
}

/** `\X` (a special) or `\HH` (a byte); returns the index after it. */
function readEscape(dn: string, i: number, bytes: number[]): number {
  const next = dn[i + 1];
  if (next === undefined) throw invalid(dn, 'it ends with a lone "\\"');
  const pair = dn.slice(i + 1, i + 3);
  if (HEX.test(pair)) {
    bytes.push(Number.parseInt(pair, 16));
    return i + 3;
  }
  if (SPECIAL.has(next)) {
    bytes.push(next.charCodeAt(0));
    return i + 2;
  }
  throw invalid(dn, `"\\${next}" is not an escape`);
}

function decodeUtf8(dn: string, bytes: number[]): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw invalid(dn, 'a hex escape is not UTF-8');
  }
}

/** Escapes a value as RFC 4514 §2.4 asks (UTF-8 kept as text). */
export function escapeDnValue(value: string): string {
  if (value.startsWith('#') && /^#(?:[0-9a-f]{2})+$/.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if (ch === '\0') out += '\\00';
    else if ('"+,;<>\\='.includes(ch)) out += `\\${ch}`;
    else out += ch;
  }
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** The RFC 4514 string of a parsed DN: types lower case, AVAs of an RDN sorted, values escaped once. */
export function formatDn(rdns: Rdn[]): string {
  return rdns
    .map((rdn) =>
      [...rdn]
        .sort((a, b) => (a.type === b.type ? a.value.localeCompare(b.value) : a.type < b.type ? -1 : 1))
        .map((ava) => `${ava.type}=${escapeDnValue(ava.value)}`)
        .join('+'),
    )
    .join(',');
}

/** One spelling per DN (`OU=Sales\2C Paris, DC=Example` and `ou=Sales\, Paris,dc=example` alike). */
export function normalizeDn(dn: string): string {
  return formatDn(parseDn(dn));
}

/**
 * The key two DNs are compared by: normalised and case-folded (the attributes of naming
 * components, cn, ou, dc, uid…, use caseIgnoreMatch in practice).
 */
export function dnKey(dn: string): string {
  return normalizeDn(dn).toLowerCase();
}

export function sameDn(a: string, b: string): boolean {
  return dnKey(a) === dnKey(b);
}

/** True when `dn` is `base` or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = parseDn(dn);
  const b = parseDn(base);
  if (b.length > d.length) return false;
  return formatDn(d.slice(d.length - b.length)).toLowerCase() === formatDn(b).toLowerCase();
}

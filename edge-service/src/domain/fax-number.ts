import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { EdgeError } from '../edge-error.ts';

export interface FaxNumber {
  /** E.164, e.g. +12125550100: what is stored and dialled. */
  e164: string;
  /** ISO 3166 alpha-2 of the destination, when known: the panel shows it beside the number. */
  country: string | null;
  /** International format for people. */
  display: string;
  /** libphonenumber's type from the full metadata (FIXED_LINE, MOBILE, PREMIUM_RATE, …); null when unknown. */
  numberType: string | null;
}

/**
 * Validates a number as typed at the panel (national numbers use the site's default country) with
 * the full metadata, so an impossible number is refused before anything is scanned.
 */
export function parseFaxNumber(input: string, defaultCountry: string): FaxNumber {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]*\d[\d\s().-]*$/.test(trimmed)) {
    throw new EdgeError(
      'INVALID_NUMBER',
      `"${trimmed.slice(0, 32)}" is not a fax number: use digits, spaces and an optional leading +.`,
      { recipient: trimmed.slice(0, 32) },
    );
  }
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid()) {
    throw new EdgeError(
      'INVALID_NUMBER',
      `${trimmed} is not a valid phone number. Check the digits and the country code.`,
      { recipient: trimmed },
    );
  }
  return {
    e164: parsed.number,
    country: parsed.country ?? null,
    display: parsed.formatInternational(),
    numberType: parsed.getType() ?? null,
  };
}

/** The `tel:` URI a fax modem dials (RFC 3966 global number). */
export function telUri(e164: string): string {
  return `tel:${e164}`;
}

export interface DestinationCountry {
  /** ISO 3166-1 alpha-2 */
  code: string;
  /** The English short name (the console may show its own from the code). */
  name: string;
}

export interface StoredFaxNumber {
  e164: string;
  /** International format for people; the E.164 as it is when the metadata does not know it. */
  display: string;
  /** Null for a number that is not one country's (+800 and other global services). */
  country: DestinationCountry | null;
}

const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** The English short name of an ISO 3166-1 alpha-2 code (the code itself when unknown). */
export function countryName(code: string): string {
  return REGION_NAMES.of(code) ?? code;
}

/**
 * A stored E.164 number described for the console and exports, with the same full metadata the
 * panel validated it with: the country is derived, never stored, so it cannot disagree with the number.
 */
export function describeStoredNumber(e164: string): StoredFaxNumber {
  const parsed = parsePhoneNumberFromString(e164);
  const code = parsed?.country;
  return {
    e164,
    display: parsed?.formatInternational() ?? e164,
    country: code ? { code, name: REGION_NAMES.of(code) ?? code } : null,
  };
}

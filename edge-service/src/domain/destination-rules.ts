import type { DestinationRule } from '../../../protocol/index.ts';
import { countryName, type FaxNumber } from './fax-number.ts';

/** The destination keys of the enterprise's policy document (DESIGN.md §11). */
export interface DestinationPolicy {
  faxInternational: boolean;
  /** ISO 3166-1 alpha-2, upper case. */
  faxBlockedCountries: readonly string[];
  faxBlockPremium: boolean;
}

export type DestinationVerdict =
  { allowed: true } | { allowed: false; rule: DestinationRule; message: string };

/*
 * What faxBlockPremium blocks, by libphonenumber type. PREMIUM_RATE (national 0900/1-900 and the
 * international +979) is the premium rule itself. The others are "non-geographic": numbers whose
 * price or real destination the caller cannot see (SHARED_COST splits the cost with the callee at a
 * rate above a local call; PERSONAL_NUMBER and UAN forward anywhere, at the owner's tariff; VOICEMAIL
 * and PAGER reach no fax machine). TOLL_FREE, VOIP, MOBILE and FIXED_LINE stay allowed: they cost no
 * more than an ordinary call and can reach a fax machine. A number of no country (+800, +808, +870,
 * +881…) is judged by its type like any other, and counts as international.
 */
const PREMIUM_TYPES: ReadonlySet<string> = new Set(['PREMIUM_RATE']);
const NON_GEOGRAPHIC_TYPES: ReadonlySet<string> = new Set([
  'SHARED_COST',
  'PERSONAL_NUMBER',
  'UAN',
  'VOICEMAIL',
  'PAGER',
]);

/**
 * Whether a fax may go to `number` under the enterprise's rules. Pure. `homeCountry` is the site's
 * default country (the edge's `defaultCountry`): "international" means any other country, or none.
 * The rules are checked from the most specific to the most general, so the message names the reason
 * an administrator can act on: a blocked country, then international faxing, then the number's type.
 */
export function evaluateDestination(
  number: Pick<FaxNumber, 'country' | 'numberType'>,
  policy: DestinationPolicy,
  homeCountry: string,
): DestinationVerdict {
  const country = number.country?.toUpperCase() ?? null;
  const home = homeCountry.toUpperCase();
  if (country !== null && policy.faxBlockedCountries.some((c) => c.toUpperCase() === country)) {
    return {
      allowed: false,
      rule: 'country',
      message: `Faxes to ${countryName(country)} are blocked by your company's fax policy. Ask an administrator if you need to send there.`,
    };
  }
  if (!policy.faxInternational && country !== home) {
    return {
      allowed: false,
      rule: 'international',
      message:
        country === null
          ? "International numbers are blocked by your company's fax policy: only numbers in " +
            `${countryName(home)} can be faxed. Ask an administrator if you need to send there.`
          : `International faxing (here to ${countryName(country)}) is blocked by your company's fax policy: ` +
            `only numbers in ${countryName(home)} can be faxed. Ask an administrator if you need to send there.`,
    };
  }
  if (policy.faxBlockPremium && number.numberType !== null) {
    if (PREMIUM_TYPES.has(number.numberType))
      return {
        allowed: false,
        rule: 'premium',
        message:
          "Premium-rate numbers are blocked by your company's fax policy. Check the number, or ask an administrator.",
      };
    if (NON_GEOGRAPHIC_TYPES.has(number.numberType))
      return {
        allowed: false,
        rule: 'non-geographic',
        message: `${typeName(number.numberType)} numbers are blocked by your company's fax policy (like premium-rate ones). Use the recipient's ordinary fax number, or ask an administrator.`,
      };
  }
  return { allowed: true };
}

function typeName(type: string): string {
  switch (type) {
    case 'SHARED_COST':
      return 'Shared-cost';
    case 'PERSONAL_NUMBER':
      return 'Personal (forwarding)';
    case 'UAN':
      return 'Universal access';
    case 'VOICEMAIL':
      return 'Voicemail';
    case 'PAGER':
      return 'Pager';
    default:
      return 'Non-geographic';
  }
}

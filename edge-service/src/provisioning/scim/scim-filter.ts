import { ScimError } from './scim-errors.ts';

/** A filter we evaluate: `attr eq "value"` (what Entra ID and Okta send), joined by `and`. */
export interface EqualityFilter {
  /** Lower-cased attribute path, e.g. username, externalid, emails.value, displayname. */
  attribute: string;
  value: string;
}

const ATTR = /^[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$/;

/**
 * Parses the filters provisioning clients use (RFC 7644 §3.4.2.2): `userName eq "a@b.c"`,
 * `externalId eq "…"`, `displayName eq "…"`, several joined with `and`. Anything else is an
 * invalidFilter error rather than a wrong answer: an empty list would make the client create a
 * duplicate.
 */
export function parseFilter(text: string): EqualityFilter[] {
  const terms: EqualityFilter[] = [];
  let rest = text.trim();
  if (rest.length === 0 || rest.length > 1000)
    throw new ScimError(400, 'The filter is empty or too long.', 'invalidFilter');
  for (;;) {
    const m = /^([^\s]+)\s+(eq)\s+"((?:[^"\\]|\\.)*)"\s*/i.exec(rest);
    if (!m || !ATTR.test(m[1]!))
      throw new ScimError(
        400,
        `Unsupported filter "${text}": only attribute eq "value" terms joined by and are supported.`,
        'invalidFilter',
      );
    let value: string;
    try {
      value = JSON.parse(`"${m[3]!}"`) as string;
    } catch {
      throw new ScimError(400, `The filter's value is not a valid string: ${m[3]}`, 'invalidFilter');
    }
    terms.push({ attribute: m[1]!.toLowerCase().replace(/^urn:[^ ]*:/, ''), value });
    rest = rest.slice(m[0].length);
    if (rest === '') return terms;
    const and = /^and\s+/i.exec(rest);
    if (!and)
      throw new ScimError(400, `Unsupported filter "${text}": only "and" joins terms.`, 'invalidFilter');
    rest = rest.slice(and[0].length);
  }
}

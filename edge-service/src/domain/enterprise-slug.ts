/**
 * Enterprise slugs: the short identifier in URLs (`/auth/<slug>/…`, `/scim/v2/<slug>/`). DESIGN.md §11:
 * at least 2 characters of lower-case letters, digits and hyphens.
 */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])$/;

export function isValidSlug(slug: string): boolean {
  return SLUG_PATTERN.test(slug);
}

/**
 * A slug made from a name: accents dropped, everything else not [a-z0-9] turned into single hyphens.
 * `taken` says whether a candidate is in use; a numeric suffix (-2, -3…) makes it unique.
 */
export function slugFromName(name: string, taken: (slug: string) => boolean = () => false): string {
  let base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  if (base.length < 2) base = `enterprise${base === '' ? '' : `-${base}`}`;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}

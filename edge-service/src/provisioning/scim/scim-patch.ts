import { ScimError } from './scim-errors.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Json = Record<string, unknown>;

interface ParsedPath {
  /** Where the attribute lives: the resource itself, or an extension schema's object in it. */
  extension: string | null;
  attribute: string;
  filter: { attribute: string; value: string } | null;
  sub: string | null;
}

/**
 * Parses a PATCH path (RFC 7644 §3.5.2): `active`, `name.givenName`, `emails[type eq "work"].value`,
 * `members[value eq "id"]`, `urn:…:enterprise:2.0:User:department`. Names are matched
 * case-insensitively later, as RFC 7643 §2.1 says attribute names are.
 */
export function parsePath(path: string): ParsedPath {
  let rest = path.trim();
  let extension: string | null = null;
  const urn = /^(urn:[^[\]]+):([A-Za-z][\w$-]*(?:[[.].*)?)$/i.exec(rest);
  if (urn) {
    const schema = urn[1]!;
    if (
      schema.toLowerCase() !== USER_SCHEMA.toLowerCase() &&
      schema.toLowerCase() !== GROUP_SCHEMA.toLowerCase()
    )
      extension = schema;
    rest = urn[2]!;
  }
  const m =
    /^([A-Za-z][\w$-]*)(?:\[\s*([A-Za-z][\w$-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\])?(?:\.([A-Za-z][\w$-]*))?$/i.exec(
      rest,
    );
  if (!m) throw new ScimError(400, `Unsupported PATCH path "${path}".`, 'invalidPath');
  return {
    extension,
    attribute: m[1]!,
    filter: m[2] ? { attribute: m[2], value: JSON.parse(`"${m[3]!}"`) as string } : null,
    sub: m[4] ?? null,
  };
}

/** The key of `object` that matches `name` case-insensitively (or `name` itself when none does). */
function keyOf(object: Json, name: string): string {
  return Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function matches(element: unknown, filter: { attribute: string; value: string }): boolean {
  if (!isObject(element)) return false;
  const v = element[keyOf(element, filter.attribute)];
  return typeof v === 'string' ? v.toLowerCase() === filter.value.toLowerCase() : String(v) === filter.value;
}

/** Merges multi-valued elements by `type` (or `value` for members), as an add of a list does. */
function mergeList(target: unknown[], added: unknown[]): unknown[] {
  const out = [...target];
  for (const item of added) {
    const key = isObject(item)
      ? item.type !== undefined
        ? 'type'
        : item.value !== undefined
          ? 'value'
          : null
      : null;
    const at = key
      ? out.findIndex(
          (e) =>
            isObject(e) && isObject(item) && String(e[key]).toLowerCase() === String(item[key]).toLowerCase(),
        )
      : -1;
    if (at >= 0 && key === 'type') out[at] = { ...(out[at] as Json), ...(item as Json) };
    else if (at < 0) out.push(item);
  }
  return out;
}

function applyOne(resource: Json, op: 'add' | 'replace' | 'remove', path: string, value: unknown): void {
  const p = parsePath(path);
  let holder = resource;
  if (p.extension) {
    const k = keyOf(resource, p.extension);
    if (!isObject(resource[k])) resource[k] = {};
    holder = resource[k] as Json;
  }
  const key = keyOf(holder, p.attribute);
  if (p.filter) {
    const list = Array.isArray(holder[key]) ? (holder[key] as unknown[]) : [];
    const hits = list.filter((e) => matches(e, p.filter!));
    if (op === 'remove') {
      if (p.sub === null) holder[key] = list.filter((e) => !matches(e, p.filter!));
      else for (const hit of hits) delete (hit as Json)[keyOf(hit as Json, p.sub)];
      return;
    }
    if (hits.length === 0) {
      // Entra ID adds `emails[type eq "work"].value` to a user without one: make the element.
      const made: Json = { [p.filter.attribute]: p.filter.value };
      if (p.sub === null) Object.assign(made, isObject(value) ? value : { value });
      else made[p.sub] = value;
      holder[key] = [...list, made];
      return;
    }
    for (const hit of hits as Json[]) {
      if (p.sub === null) Object.assign(hit, isObject(value) ? value : { value });
      else hit[keyOf(hit, p.sub)] = value;
    }
    return;
  }
  if (p.sub !== null) {
    if (op === 'remove') {
      if (isObject(holder[key])) delete (holder[key] as Json)[keyOf(holder[key] as Json, p.sub)];
      return;
    }
    if (!isObject(holder[key])) holder[key] = {};
    const inner = holder[key] as Json;
    inner[keyOf(inner, p.sub)] = value;
    return;
  }
  if (op === 'remove') {
    // Entra ID removes group members with path "members" and the members in the value.
    if (Array.isArray(value) && Array.isArray(holder[key])) {
      const gone = new Set(value.map((v) => (isObject(v) ? String(v.value) : String(v))));
      holder[key] = (holder[key] as unknown[]).filter((e) => !(isObject(e) && gone.has(String(e.value))));
      return;
    }
    delete holder[key];
    return;
  }
  if (op === 'add' && Array.isArray(holder[key]) && Array.isArray(value)) {
    holder[key] = mergeList(holder[key] as unknown[], value);
    return;
  }
  if (op === 'add' && isObject(holder[key]) && isObject(value)) {
    holder[key] = { ...(holder[key] as Json), ...value };
    return;
  }
  holder[key] = value;
}

/**
 * Applies a SCIM PatchOp body to a copy of `resource` and returns it. Accepts what real clients
 * send: Entra ID's capitalised ops ("Replace", "Add"), ops without a path whose value holds the
 * attributes (also dotted keys such as "name.givenName"), filtered paths; Okta's lower-case ones.
 */
export function applyPatch(resource: Json, body: unknown): Json {
  if (!isObject(body) || !Array.isArray(body.Operations ?? body.operations))
    throw new ScimError(400, 'A PATCH body needs "Operations", a list.', 'invalidSyntax');
  const schemas = body.schemas;
  if (Array.isArray(schemas) && !schemas.includes(PATCH_OP_SCHEMA))
    throw new ScimError(400, `A PATCH body's schemas must include ${PATCH_OP_SCHEMA}.`, 'invalidSyntax');
  const out = structuredClone(resource);
  const operations = (body.Operations ?? body.operations) as unknown[];
  if (operations.length > 1000) throw new ScimError(400, 'Too many operations in one PATCH.', 'tooMany');
  for (const raw of operations) {
    if (!isObject(raw)) throw new ScimError(400, 'Each operation is an object.', 'invalidSyntax');
    const op = String(raw.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new ScimError(
        400,
        `Unknown PATCH op "${String(raw.op)}": add, replace or remove.`,
        'invalidSyntax',
      );
    const path = typeof raw.path === 'string' && raw.path.trim() !== '' ? raw.path : null;
    if (path === null) {
      if (op === 'remove') throw new ScimError(400, 'A remove needs a path.', 'noTarget');
      if (!isObject(raw.value))
        throw new ScimError(400, 'An operation without a path needs an object value.', 'invalidValue');
      for (const [k, v] of Object.entries(raw.value)) applyOne(out, op, k, v);
    } else applyOne(out, op, path, raw.value);
  }
  return out;
}

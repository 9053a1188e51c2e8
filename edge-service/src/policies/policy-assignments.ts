import type { z } from 'zod';
import { EdgeError } from '../edge-error.ts';
import { PolicyDocumentSchema } from './policy-schema.ts';

/** A partial policy document: nested objects merge, everything else replaces (policy-service.ts). */
export type PolicyPatch = { [key: string]: unknown };

type Kind = 'boolean' | 'number' | 'string' | 'list' | 'object';

// zod wrappers that only add a default, nullability, a refinement or a transform.
function unwrap(schema: z.ZodType): { schema: z.ZodType; nullable: boolean } {
  let current = schema;
  let nullable = false;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.type === 'nullable') nullable = true;
    if ((def.type === 'default' || def.type === 'nullable' || def.type === 'optional') && def.innerType)
      current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return { schema: current, nullable };
  }
}

function kindOf(schema: z.ZodType): Kind {
  switch (schema.def.type) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'array':
      return 'list';
    case 'object':
      return 'object';
    default:
      return 'string'; // string, enum, literal, union of string formats
  }
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | null {
  const { schema: inner } = unwrap(schema);
  return inner.def.type === 'object' ? (inner as z.ZodObject).shape : null;
}

/** Every settable dotted key (leaves and nullable objects such as `sso`), for help and errors. */
export function policyKeys(): string[] {
  const keys: string[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string) => {
    for (const [key, schema] of Object.entries(shape)) {
      const nested = shapeOf(schema);
      if (nested) {
        if (unwrap(schema).nullable) keys.push(prefix + key);
        walk(nested, `${prefix}${key}.`);
      } else keys.push(prefix + key);
    }
  };
  walk(PolicyDocumentSchema.shape, '');
  return keys;
}

const fail = (key: string, message: string): never => {
  throw new EdgeError('POLICY_INVALID', `${key}: ${message}`);
};

function coerce(key: string, raw: string, schema: z.ZodType): unknown {
  const { schema: inner, nullable } = unwrap(schema);
  if (nullable && (raw === 'null' || raw === '')) return null;
  switch (kindOf(inner)) {
    case 'boolean':
      if (/^(true|yes|on)$/i.test(raw)) return true;
      if (/^(false|no|off)$/i.test(raw)) return false;
      return fail(key, `"${raw}" is not true or false`);
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) return fail(key, `"${raw}" is not a number`);
      return Number(raw);
    }
    case 'list':
      return raw.trim() === ''
        ? []
        : raw
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== '');
    case 'object':
      return fail(key, 'is a group of settings: set its keys with dots (e.g. emailToFax.enabled=true)');
    default:
      return raw;
  }
}

/**
 * `KEY=VALUE` assignments (the admin CLI's `policy set`) as a patch: dotted keys for nested settings,
 * comma-separated lists (empty value: empty list), true/false (also yes/no, on/off), numbers;
 * `null` or empty clears a nullable setting (e.g. `sso=null`). Unknown keys and unreadable values
 * are POLICY_INVALID naming the key; ranges are checked when the patch is applied.
 */
export function parsePolicyAssignments(assignments: string[]): PolicyPatch {
  if (assignments.length === 0) throw new EdgeError('POLICY_INVALID', 'no KEY=VALUE given');
  const patch: PolicyPatch = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) fail(assignment, 'expected KEY=VALUE');
    const key = assignment.slice(0, equals).trim();
    const raw = assignment.slice(equals + 1);
    const path = key.split('.');
    let shape: Record<string, z.ZodType> | null = PolicyDocumentSchema.shape;
    let target = patch;
    for (const [index, part] of path.entries()) {
      const schema: z.ZodType | undefined = shape && Object.hasOwn(shape, part) ? shape[part] : undefined;
      if (!schema) {
        fail(key, 'unknown policy key ("mfp-edge admin policy show" lists them)');
        return patch;
      }
      if (index === path.length - 1) {
        target[part] = coerce(key, raw, schema);
      } else {
        shape = shapeOf(schema);
        if (!shape) fail(key, `${path.slice(0, index + 1).join('.')} has no keys`);
        const next = target[part];
        if (next !== undefined && (typeof next !== 'object' || next === null))
          fail(key, `set both ${path.slice(0, index + 1).join('.')} and one of its keys`);
        target = (target[part] ??= {}) as PolicyPatch;
      }
    }
  }
  return patch;
}

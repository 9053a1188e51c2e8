import { USER_LANGUAGES, type UserAccount, type UserLanguage } from '../../domain/user.ts';
import type { ProvisionedPerson } from '../provisioned-people.ts';
import type { ProvisioningLink } from '../provisioning-store.ts';
import { ScimError } from './scim-errors.ts';
import type { ScimGroupRecord } from './scim-groups.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './scim-patch.ts';

type Json = Record<string, unknown>;

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** The User resource (RFC 7643 §4.1) of one of our users. */
export function scimUser(
  base: string,
  user: UserAccount,
  link: ProvisioningLink,
  groups: { id: string; displayName: string }[],
): Json {
  return {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(link.externalId !== null ? { externalId: link.externalId } : {}),
    userName: link.scimUserName ?? user.email,
    name: { formatted: user.displayName },
    displayName: user.displayName,
    emails: [{ value: user.email, type: 'work', primary: true }],
    active: user.disabledAt === null,
    preferredLanguage: user.language,
    locale: user.language,
    timezone: user.timeZone,
    ...(link.country ? { addresses: [{ type: 'work', country: link.country, primary: true }] } : {}),
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}` })),
    meta: {
      resourceType: 'User',
      created: user.createdAt,
      lastModified: user.createdAt,
      location: `${base}/Users/${user.id}`,
    },
  };
}

export function scimGroup(base: string, group: ScimGroupRecord, emails: Map<string, string>): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    members: group.members.map((id) => ({
      value: id,
      display: emails.get(id) ?? id,
      $ref: `${base}/Users/${id}`,
    })),
    meta: { resourceType: 'Group', created: group.createdAt, location: `${base}/Groups/${group.id}` },
  };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** Case-insensitive attribute read (RFC 7643 §2.1). */
export function attr(object: Json, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

/** Entra ID sends booleans as the strings "True" / "False" in PATCH values. */
export function scimBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimError(400, `${name} must be true or false.`, 'invalidValue');
}

function text(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ScimError(400, `${name} must be a string.`, 'invalidValue');
  const trimmed = value.trim();
  if (trimmed.length > max)
    throw new ScimError(400, `${name} is longer than ${max} characters.`, 'invalidValue');
  return trimmed === '' ? undefined : trimmed;
}

/** en-US, fr_CA, de → our languages; anything else: not one we speak (left unchanged). */
function language(value: unknown): UserLanguage | undefined {
  const t = text(value, 'preferredLanguage', 35);
  const primary = t?.split(/[-_]/)[0]?.toLowerCase();
  return (USER_LANGUAGES as readonly string[]).includes(primary ?? '')
    ? (primary as UserLanguage)
    : undefined;
}

function timeZone(value: unknown): string | undefined {
  const t = text(value, 'timezone', 64);
  if (t === undefined) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: t });
    return t;
  } catch {
    throw new ScimError(
      400,
      `timezone "${t}" is not an IANA time zone such as Europe/Paris.`,
      'invalidValue',
    );
  }
}

function workOrPrimary(list: unknown, sub: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const items = list.filter(isObject);
  const pick =
    items.find((e) => scimBooleanOr(attr(e, 'primary'))) ??
    items.find((e) => String(attr(e, 'type') ?? '').toLowerCase() === 'work') ??
    items[0];
  const v = pick ? attr(pick, sub) : undefined;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

const scimBooleanOr = (v: unknown): boolean =>
  v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

export interface ScimUserInput {
  person: ProvisionedPerson;
  active: boolean;
}

/**
 * What a User resource (POST, PUT, or the result of a PATCH) says, in our terms. The sign-in
 * email is userName when it is an address (Entra ID's UPN, Okta's login), else the primary or work
 * email. The name is displayName, else name.formatted, else given and family name joined.
 */
export function fromScimUser(body: unknown, previous?: { email: string; userName: string }): ScimUserInput {
  if (!isObject(body))
    throw new ScimError(400, 'The body must be a User resource (JSON object).', 'invalidSyntax');
  const userName = text(attr(body, 'userName'), 'userName', 254);
  const mail = workOrPrimary(attr(body, 'emails'), 'value');
  let email: string | undefined;
  const userNameChanged =
    previous !== undefined && userName?.toLowerCase() !== previous.userName.toLowerCase();
  if (previous && !userNameChanged && mail && mail.toLowerCase() !== previous.email.toLowerCase())
    email = mail; // only the email changed (PATCH emails[type eq "work"].value)
  else email = userName && EMAIL.test(userName) ? userName : mail;
  if (!userName) throw new ScimError(400, 'userName is required.', 'invalidValue');
  if (!email || email.length > 254 || !EMAIL.test(email))
    throw new ScimError(
      400,
      `userName "${userName}" is not an email address, and no work email was given.`,
      'invalidValue',
    );
  const name = isObject(attr(body, 'name')) ? (attr(body, 'name') as Json) : {};
  const joined = [
    text(attr(name, 'givenName'), 'name.givenName', 100),
    text(attr(name, 'familyName'), 'name.familyName', 100),
  ]
    .filter(Boolean)
    .join(' ');
  const displayName =
    text(attr(body, 'displayName'), 'displayName', 200) ??
    text(attr(name, 'formatted'), 'name.formatted', 200) ??
    (joined || email.split('@')[0]!);
  const country = workOrPrimary(attr(body, 'addresses'), 'country');
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country))
    throw new ScimError(
      400,
      `addresses.country "${country}" is not an ISO 3166-1 alpha-2 code such as FR.`,
      'invalidValue',
    );
  const externalId = text(attr(body, 'externalId'), 'externalId', 256);
  const active = attr(body, 'active');
  const extension = attr(body, ENTERPRISE_USER_SCHEMA);
  void extension; // accepted, not stored (department, manager, …)
  return {
    person: {
      email,
      displayName,
      language: language(attr(body, 'preferredLanguage')) ?? language(attr(body, 'locale')),
      timeZone: timeZone(attr(body, 'timezone')),
      country: country?.toUpperCase() ?? null,
      externalId: externalId ?? null,
      scimUserName: userName.toLowerCase() === email.toLowerCase() ? null : userName,
    },
    active: active === undefined || active === null ? true : scimBoolean(active, 'active'),
  };
}

/** ServiceProviderConfig (RFC 7643 §5): what this server supports. */
export function serviceProviderConfig(base: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${base.replace(/\/scim\/v2\/.*$/, '')}/api/v1/openapi.json`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description:
          'A token from "mfp-edge admin scim token create" or the console, sent as Authorization: Bearer.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string): Json[] {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const a = (name: string, extra: Json = {}): Json => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

/** The attributes we keep (RFC 7643 §7); others are accepted and ignored. */
export function schemas(base: string): Json[] {
  const multi = (name: string, subs: Json[]): Json =>
    a(name, { type: 'complex', multiValued: true, subAttributes: subs });
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: USER_SCHEMA,
      name: 'User',
      description: 'A person who signs in at printers and, as an administrator, the console.',
      attributes: [
        a('userName', { required: true, uniqueness: 'server', description: 'The sign-in email.' }),
        a('externalId', { caseExact: true }),
        a('displayName'),
        a('name', { type: 'complex', subAttributes: [a('formatted'), a('givenName'), a('familyName')] }),
        multi('emails', [a('value'), a('type'), a('primary', { type: 'boolean' })]),
        a('active', { type: 'boolean' }),
        a('preferredLanguage', { description: 'en, fr or de (a tag such as fr-CA counts as fr).' }),
        a('locale'),
        a('timezone', { description: 'IANA time zone.' }),
        multi('addresses', [a('type'), a('country', { description: 'ISO 3166-1 alpha-2.' })]),
        multi('groups', [a('value', { mutability: 'readOnly' }), a('display', { mutability: 'readOnly' })]),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: GROUP_SCHEMA,
      name: 'Group',
      description: 'A group; an edge administrator may map it to the admin role.',
      attributes: [
        a('displayName', { required: true, uniqueness: 'server' }),
        a('externalId', { caseExact: true }),
        multi('members', [a('value', { mutability: 'immutable' }), a('display')]),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}

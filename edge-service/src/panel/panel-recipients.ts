import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type {
  ContactView,
  DirectoryEntryView,
  NumberView,
  ParsedRequestPayload,
  RecentNumberView,
  ReplyPayload,
} from '../../../protocol/index.ts';
import type { UserRecord } from '../domain/device.ts';
import type {
  ContactRepository,
  DirectoryEntry,
  FaxDirectoryRepository,
  PersonalContact,
  RecentNumbers,
} from '../domain/fax-directory.ts';
import { parseFaxNumber } from '../domain/fax-number.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { PanelSession } from './panel-session.ts';

export interface PanelRecipientDeps {
  directory: FaxDirectoryRepository;
  contacts: ContactRepository;
  recent: RecentNumbers;
}

interface PanelRecipientContext {
  defaultCountry: string;
  /** The person's language for country names (read now: an admin may have changed it). */
  users: Pick<UserRepository, 'get'>;
}

const regionNames = new Map<string, Intl.DisplayNames>();
function countryName(code: string, language: string): string {
  let names = regionNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames([language, 'en'], { type: 'region' });
    regionNames.set(language, names);
  }
  return names.of(code) ?? code;
}

/** The panel's view of a stored or checked E.164 number, the country named in `language`. */
export function numberView(e164: string, language = 'en'): NumberView {
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed?.country ?? null;
  return {
    e164,
    display: parsed?.formatInternational() ?? e164,
    national: parsed?.formatNational() ?? e164,
    country,
    countryName: country ? countryName(country, language) : null,
  };
}

/**
 * The composer's recipient sources at the panel (issue 11): directory search, the person's own
 * contacts and recent numbers. Whose is decided here, from the session only (never from the
 * payload): contacts belong to the signed-in person and are not kept for shared accounts (everyone
 * at that desk is the one account and would read them); recent numbers are the person's, or the
 * shared-account device's.
 */
export class PanelRecipients {
  readonly #d: PanelRecipientDeps;
  readonly #defaultCountry: string;
  readonly #users: Pick<UserRepository, 'get'>;

  constructor(deps: PanelRecipientDeps, context: PanelRecipientContext) {
    this.#d = deps;
    this.#defaultCountry = context.defaultCountry;
    this.#users = context.users;
  }

  /** The national format and the country's name in the language of the panel's person. */
  labels(session: PanelSession, e164: string): { national: string; countryName: string | null } {
    const view = numberView(e164, this.#language(session.user));
    return { national: view.national, countryName: view.countryName };
  }

  search(
    session: PanelSession,
    p: ParsedRequestPayload<'directory.search'>,
  ): ReplyPayload<'directory.search'> {
    const { user, enterpriseId } = person(session);
    const found = this.#d.directory.search(enterpriseId, p.query, { offset: 0, limit: p.limit });
    return { entries: found.items.map((e) => entryView(e, this.#language(user))), total: found.total };
  }

  listContacts(session: PanelSession): ReplyPayload<'contacts.list'> {
    const owner = this.#contactOwner(session);
    return { contacts: this.#d.contacts.list(owner.id).map((c) => contactView(c, this.#language(owner))) };
  }

  addContact(session: PanelSession, p: ParsedRequestPayload<'contacts.add'>): ReplyPayload<'contacts.add'> {
    const owner = this.#contactOwner(session);
    const { e164 } = parseFaxNumber(p.number, this.#defaultCountry);
    const contact = this.#d.contacts.add(owner.id, { name: p.name, number: e164 });
    return { contact: contactView(contact, this.#language(owner)) };
  }

  removeContact(session: PanelSession, id: string): ReplyPayload<'contacts.remove'> {
    const owner = this.#contactOwner(session);
    if (!this.#d.contacts.remove(owner.id, id)) throw new EdgeError('CONTACT_NOT_FOUND');
    return {};
  }

  recent(
    session: PanelSession,
    p: ParsedRequestPayload<'recipients.recent'>,
  ): ReplyPayload<'recipients.recent'> {
    const { user, enterpriseId, shared, deviceId } = person(session);
    const numbers = this.#d.recent.recent(
      shared ? { deviceId, enterpriseId } : { userId: user.id, enterpriseId },
      p.limit,
    );
    // Names come from where the person would find the number: their contacts first, then the directory.
    const contacts = shared ? [] : this.#d.contacts.list(user.id);
    const language = this.#language(user);
    return {
      numbers: numbers.map((n): RecentNumberView => {
        const name =
          contacts.find((c) => c.number === n.number)?.name ??
          this.#d.directory.findByNumber(enterpriseId, n.number)?.name ??
          null;
        return { ...numberView(n.number, language), name, lastSentAt: n.lastSentAt };
      }),
    };
  }

  #language(user: UserRecord | null): string {
    return (user && this.#users.get(user.id)?.language) || 'en';
  }

  #contactOwner(session: PanelSession): UserRecord {
    const { user, shared } = person(session);
    if (shared) throw new EdgeError('CONTACTS_UNAVAILABLE');
    return user;
  }
}

function person(session: PanelSession) {
  const device = session.device;
  const user = session.user;
  if (!device || !user) throw new EdgeError('AUTH_REQUIRED');
  // The person's enterprise is the device's (sign-in refuses people of other enterprises): the
  // device's is the one a directory search must stay inside either way.
  return {
    user,
    enterpriseId: device.enterpriseId,
    deviceId: device.id,
    shared: device.authMode === 'shared-account',
  };
}

function entryView(e: DirectoryEntry, language: string): DirectoryEntryView {
  return {
    ...numberView(e.number, language),
    id: e.id,
    name: e.name,
    company: e.company,
    department: e.department,
  };
}

function contactView(c: PersonalContact, language: string): ContactView {
  return { ...numberView(c.number, language), id: c.id, name: c.name };
}

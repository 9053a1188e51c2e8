import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Where the composer finds recipients (issue 11): the enterprise's fax directory (managed in the
 * console and the API, searched at every panel of the enterprise), each person's own contacts, and
 * the numbers they faxed lately. Numbers are E.164, validated with domain/fax-number.ts before they
 * get here. Repositories are interfaces so a central deployment can keep the directory elsewhere.
 */

export const DIRECTORY_LIMITS = {
  name: 100,
  company: 100,
  department: 100,
  notes: 500,
  /** Entries one import may bring (the request body limit keeps it small anyway). */
  importRows: 5000,
  /** A person's contacts: a panel list, not an address book. */
  contactsPerUser: 200,
} as const;

export interface DirectoryEntry {
  id: string;
  enterpriseId: string;
  name: string;
  /** E.164. */
  number: string;
  company: string | null;
  department: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DirectoryEntryInput {
  name: string;
  number: string;
  company?: string | null;
  department?: string | null;
  notes?: string | null;
}

export interface DirectoryPage {
  items: DirectoryEntry[];
  total: number;
}

export interface FaxDirectoryRepository {
  /**
   * Entries by name; `query` matches the start of any word of the name, company or department, or
   * the start of the number (international digits, or national digits with or without the trunk 0).
   */
  search(enterpriseId: string, query: string, page: { offset: number; limit: number }): DirectoryPage;
  get(enterpriseId: string, id: string): DirectoryEntry | null;
  findByNumber(enterpriseId: string, number: string): DirectoryEntry | null;
  /** Throws DIRECTORY_ENTRY_EXISTS when the enterprise already has the number. */
  create(enterpriseId: string, input: DirectoryEntryInput): DirectoryEntry;
  /** Null when there is no such entry; DIRECTORY_ENTRY_EXISTS when the new number is another entry's. */
  update(enterpriseId: string, id: string, patch: Partial<DirectoryEntryInput>): DirectoryEntry | null;
  delete(enterpriseId: string, id: string): boolean;
  /** Creates the new numbers and updates the known ones, all or nothing. */
  upsertMany(
    enterpriseId: string,
    inputs: readonly DirectoryEntryInput[],
  ): { created: number; updated: number };
}

export interface PersonalContact {
  id: string;
  userId: string;
  name: string;
  /** E.164. */
  number: string;
  createdAt: string;
}

export interface ContactRepository {
  /** By name. */
  list(userId: string): PersonalContact[];
  /** Throws CONTACT_EXISTS for a number the person has, CONTACTS_FULL beyond the limit. */
  add(userId: string, input: { name: string; number: string }): PersonalContact;
  /** Only the owner's: false for someone else's id (nothing is revealed). */
  remove(userId: string, id: string): boolean;
}

/** Whose recent numbers: a person's (anywhere in their enterprise), or a shared-account device's. */
export type RecentOwner =
  { userId: string; enterpriseId: string } | { deviceId: string; enterpriseId: string };

export interface RecentNumber {
  /** E.164. */
  number: string;
  /** When the latest fax to it was sent (the job's creation, ISO 8601). */
  lastSentAt: string;
}

export interface RecentNumbers {
  /** Distinct numbers, the latest first. */
  recent(owner: RecentOwner, limit: number): RecentNumber[];
}

/** Lower case, accents dropped, spaces squeezed: what names are matched in (é matches e). */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The national significant number's digits (no trunk 0), for "01 42…" to find +33 1 42…. */
export function nationalDigits(e164: string): string {
  return parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.replace(/\D/g, '');
}

/**
 * The digit prefixes a query stands for when it looks like a number (digits, spaces, + ( ) . -),
 * or null for a name query: `+33 1` → international 331; `0142` → national 142 (and 0142 as typed).
 */
export function numberPrefixes(query: string): { international: string[]; national: string[] } | null {
  const trimmed = query.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  if (!digits) return null;
  if (trimmed.startsWith('+') || trimmed.startsWith('00')) {
    const international = trimmed.startsWith('+') ? digits : digits.slice(2);
    return international ? { international: [international], national: [] } : null;
  }
  const national = digits.replace(/^0+/, '');
  return { international: [digits], national: national ? [national] : [] };
}

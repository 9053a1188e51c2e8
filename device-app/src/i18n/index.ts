import { en, type MessageKey, type Catalog } from './en.ts';
import { fr } from './fr.ts';
import { de } from './de.ts';

export type { MessageKey, Catalog };
export type Language = 'en' | 'fr' | 'de';
export const LANGUAGES: readonly Language[] = ['en', 'fr', 'de'];

const CATALOGS: { [L in Language]: Catalog } = { en, fr, de };

let current: Language = 'en';

/**
 * `fr`, `fr-CA`, `de_DE`, `FR` → the panel language; anything else → null (the caller falls back).
 */
export function languageOf(tag: string | null | undefined): Language | null {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return base === 'en' || base === 'fr' || base === 'de' ? base : null;
}

/**
 * The language to show: the signed-in person's own setting, else the device's (the panel browser's
 * language, which the MFP sets from its own language setting), else English.
 */
export function pickLanguage(
  userLanguage: string | null | undefined,
  deviceLanguage: string | null | undefined,
): Language {
  return languageOf(userLanguage) ?? languageOf(deviceLanguage) ?? 'en';
}

/** Switches every later t() to `language`; true when it changed (the caller re-renders). */
export function setLanguage(language: Language): boolean {
  if (language === current) return false;
  current = language;
  return true;
}

export function currentLanguage(): Language {
  return current;
}

export type Params = { [name: string]: string | number };

/**
 * The text for `key` in the current language, with `{name}` placeholders filled from `params`. A
 * placeholder with no value is left as written (visible in a test rather than silently blank).
 */
export function t(key: MessageKey, params?: Params): string {
  const text = CATALOGS[current][key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The text for a key built at run time (an error code): null when the catalog has no such key. */
export function tMaybe(key: string, params?: Params): string | null {
  return Object.prototype.hasOwnProperty.call(en, key) ? t(key as MessageKey, params) : null;
}

/** The catalogs, for the completeness test. */
export const catalogs: { readonly [L in Language]: Catalog } = CATALOGS;

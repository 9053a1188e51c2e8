import type { MailLanguage } from './locale.ts';

export type FaxOutcome = 'delivered' | 'partial' | 'failed';

/**
 * The words of every notification in one language. Values arrive formatted (dates in the reader's
 * zone, durations and counts in their locale) and everything here is plain text: the renderer
 * escapes it, so translations never contain markup. TypeScript makes each language complete.
 */
export interface MailCatalog {
  greeting(name: string): string;
  signature: string;
  footer: string;
  /** Under a button, for mail clients that do not show it. */
  actionFallback: string;
  /** Security notices end with it. */
  notYou: string;
  passwordChanged: { subject: string; body(at: string): string };
  twoFactorEnabled: { subject: string; body(at: string): string };
  twoFactorDisabled: { subject: string; body(at: string): string; advice: string };
  accountLocked: {
    subject: string;
    body(at: string): string;
    unlocksAt(at: string): string;
    adminUnlock: string;
  };
  passwordExpiring: {
    subject(inDays: string): string;
    body(inDays: string, at: string): string;
    howTo: string;
  };
  invitation: {
    subject(enterprise: string): string;
    body(enterprise: string, inviter: string | undefined): string;
    action: string;
    validity(duration: string, until: string): string;
    ignore: string;
  };
  passwordReset: {
    subject: string;
    body: string;
    action: string;
    validity(duration: string, until: string): string;
    ignore: string;
  };
  welcome: {
    subject(enterprise: string): string;
    body(enterprise: string): string;
    howTo: string;
    action: string;
  };
  faxReceipt: {
    subject: Record<FaxOutcome, (to: string) => string>;
    summary: Record<FaxOutcome, (delivered: string, total: string) => string>;
    recipients(count: number, formatted: string): string;
    facts: { job: string; pages: string; submitted: string; finished: string };
    head: { number: string; result: string; details: string };
    results: { delivered: string; failed: string; cancelled: string };
    pagesSent(sent: string, total: string): string;
    /** How many times the number was dialled, beside a failure's reason. */
    attempts(n: string): string;
    /** Failure reasons by error code (protocol/error-codes.ts); others show the edge's message. */
    reasons: Partial<Record<string, string>>;
  };
}

export type MailCatalogs = Record<MailLanguage, MailCatalog>;

import type { PolicyDocument } from './policy-schema.ts';

/**
 * Settings that are allowed but unsafe, each as a sentence for the console and the API. Email-to-fax
 * without an IP allow-list or an SPF check trusts the From address alone, which anyone can forge.
 */
export function policyWarnings(document: PolicyDocument): string[] {
  const warnings: string[] = [];
  const email = document.emailToFax;
  if (email.enabled && email.ipAllowList.length === 0 && !email.spfCheck)
    warnings.push(
      'Email-to-fax is on without an IP allow-list or an SPF check: anyone can send faxes in the name of your users and trusted domains by forging the sender. Turn on the SPF check or set an allow-list of your mail servers now.',
    );
  return warnings;
}

import assert from 'node:assert/strict';
import {
  evaluateDestination,
  type DestinationPolicy,
} from '../../../edge-service/src/domain/destination-rules.ts';
import { parseFaxNumber } from '../../../edge-service/src/domain/fax-number.ts';

/** The policy document's defaults (policies/policy-schema.ts): international on, nothing blocked, premium blocked. */
const DEFAULTS: DestinationPolicy = {
  faxInternational: true,
  faxBlockedCountries: [],
  faxBlockPremium: true,
};

function verdict(number: string, policy: Partial<DestinationPolicy> = {}, home = 'US') {
  return evaluateDestination(parseFaxNumber(number, home), { ...DEFAULTS, ...policy }, home);
}

describe('destination rules (domain, pure)', () => {
  it('allows ordinary fixed and mobile numbers at home and abroad under the defaults', () => {
    assert.deepEqual(verdict('+1 212 555 0100'), { allowed: true });
    assert.deepEqual(verdict('+44 20 7946 0000'), { allowed: true });
    assert.deepEqual(verdict('+32 2 793 00 01'), { allowed: true });
  });

  it('refuses premium-rate numbers by default, at home and abroad, naming the rule', () => {
    for (const number of ['+1 900 555 0123', '+44 909 879 0000', '+33 8 92 00 00 00', '+49 900 1234567']) {
      const v = verdict(number);
      assert.equal(v.allowed, false, number);
      assert.ok(!v.allowed && v.rule === 'premium', number);
      assert.match(
        !v.allowed ? v.message : '',
        /Premium-rate numbers are blocked by your company's fax policy/,
      );
    }
  });

  it('refuses shared-cost, personal and universal-access numbers as non-geographic, under faxBlockPremium', () => {
    for (const [number, type] of [
      ['+33 8 10 00 00 00', 'Shared-cost'],
      ['+44 70 0000 0000', 'Personal'],
      ['+44 55 1123 4567', 'Universal access'],
    ] as const) {
      const v = verdict(number);
      assert.ok(!v.allowed && v.rule === 'non-geographic', number);
      assert.ok(!v.allowed && v.message.startsWith(type), v.allowed ? '' : v.message);
    }
  });

  it('allows premium and non-geographic numbers when faxBlockPremium is off; toll-free always', () => {
    assert.deepEqual(verdict('+1 900 555 0123', { faxBlockPremium: false }), { allowed: true });
    assert.deepEqual(verdict('+33 8 10 00 00 00', { faxBlockPremium: false }), { allowed: true });
    assert.deepEqual(verdict('+1 800 555 0100'), { allowed: true });
    assert.deepEqual(verdict('+800 1234 5678'), { allowed: true });
  });

  it('refuses a blocked country with its name, whatever the case of the stored code', () => {
    const v = verdict('+32 2 793 00 01', { faxBlockedCountries: ['be'] });
    assert.ok(!v.allowed && v.rule === 'country');
    assert.match(!v.allowed ? v.message : '', /Faxes to Belgium are blocked/);
    assert.deepEqual(verdict('+44 20 7946 0000', { faxBlockedCountries: ['BE'] }), { allowed: true });
  });

  it('refuses other countries, and numbers of no country, when international faxing is off', () => {
    const abroad = verdict('+44 20 7946 0000', { faxInternational: false });
    assert.ok(!abroad.allowed && abroad.rule === 'international');
    assert.match(!abroad.allowed ? abroad.message : '', /United Kingdom.*only numbers in United States/);
    const global = verdict('+800 1234 5678', { faxInternational: false });
    assert.ok(!global.allowed && global.rule === 'international');
    assert.deepEqual(verdict('+1 212 555 0100', { faxInternational: false }), { allowed: true });
    // The home country is the site's: from France, a French number is national.
    assert.deepEqual(verdict('01 23 45 67 89', { faxInternational: false }, 'FR'), { allowed: true });
  });

  it('names the most specific rule first: a blocked country before international, before premium', () => {
    const policy = { faxInternational: false, faxBlockedCountries: ['GB'] };
    const v = verdict('+44 909 879 0000', policy);
    assert.ok(!v.allowed && v.rule === 'country');
    const w = verdict('+44 909 879 0000', { faxInternational: false });
    assert.ok(!w.allowed && w.rule === 'international');
  });
});

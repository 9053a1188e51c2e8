import assert from 'node:assert/strict';
import {
  NOTIFICATION_KINDS,
  renderNotification,
  type NotificationKind,
  type NotificationParams,
} from '../../../edge-service/src/mail/mail-templates.ts';
import { MAIL_LANGUAGES } from '../../../edge-service/src/mail/locale.ts';

const AT = new Date('2024-01-15T13:05:00Z');
const HOSTILE = '<script>alert("x")</script> & Co';

const PARAMS: { [K in NotificationKind]: NotificationParams[K] } = {
  'password-changed': { at: AT },
  'two-factor-enabled': { at: AT },
  'two-factor-disabled': { at: AT },
  'account-locked': { at: AT, unlockAt: new Date('2024-01-15T13:35:00Z') },
  'password-expiring': { expiresAt: new Date('2024-01-20T09:00:00Z'), daysLeft: 5 },
  invitation: {
    url: 'https://edge.example/invite#token=INVITE-SECRET',
    at: AT,
    expiresAt: new Date(AT.getTime() + 7 * 86_400_000),
    enterpriseName: HOSTILE,
    invitedBy: HOSTILE,
  },
  'password-reset': {
    url: 'https://edge.example/reset#token=RESET-SECRET',
    at: AT,
    expiresAt: new Date(AT.getTime() + 24 * 3_600_000),
  },
  welcome: { enterpriseName: HOSTILE, signInUrl: 'https://edge.example/account/' },
  'fax-receipt': {
    job: {
      id: 'job-42',
      pages: 3,
      submittedAt: AT,
      finishedAt: new Date('2024-01-15T13:09:00Z'),
      recipients: [
        { number: '+12125550100', result: 'delivered', pagesSent: 3 },
        {
          number: '+33144556677',
          result: 'failed',
          pagesSent: 1,
          error: { code: 'FAX_BUSY', message: 'busy' },
        },
        { number: '+4930123456', result: 'failed', error: { code: 'SOMETHING_NEW', message: '<b>odd</b>' } },
      ],
    },
  },
};

const reader = (language: string) => ({
  to: 'ana@example.com',
  name: HOSTILE,
  language,
  timeZone: 'Europe/Paris',
});

describe('mail templates', () => {
  for (const kind of NOTIFICATION_KINDS) {
    describe(kind, () => {
      const rendered = Object.fromEntries(
        MAIL_LANGUAGES.map((l) => [l, renderNotification(kind, reader(l), PARAMS[kind] as never)]),
      );

      for (const language of MAIL_LANGUAGES) {
        it(`renders in ${language}: subject, text and escaped HTML`, () => {
          const mail = rendered[language]!;
          assert.equal(mail.language, language);
          assert.ok(mail.subject.length > 5 && !/[\r\n]/.test(mail.subject));
          assert.ok(mail.text.includes(HOSTILE), 'the text part carries the name as is');
          assert.ok(!mail.html.includes('<script'), 'no script tag in the HTML');
          assert.ok(mail.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
          assert.match(mail.html, new RegExp(`^<!DOCTYPE html>\\n<html lang="${language}">`));
          // No remote content: nothing is loaded, links are the only URLs.
          assert.ok(!/\s(src|background)=|<link|<img|url\(|@import/i.test(mail.html));
          assert.ok(!/class=|<style/.test(mail.html), 'inline styles only');
        });
      }

      it('is really translated: fr and de differ from en', () => {
        for (const language of ['fr', 'de'] as const) {
          assert.notEqual(rendered[language]!.subject, rendered.en!.subject);
          const own = rendered[language]!.text.split('\n\n');
          const english = new Set(rendered.en!.text.split('\n\n'));
          assert.ok(own.every((part) => !english.has(part) || !/[a-z]{4}/.test(part.replace(HOSTILE, ''))));
        }
      });
    });
  }

  it('falls back to English for an unknown language and keeps regional formats', () => {
    const unknown = renderNotification('password-changed', reader('xx-YY'), { at: AT });
    assert.equal(unknown.language, 'en');
    assert.equal(unknown.subject, 'Your password was changed');
    const none = renderNotification('password-changed', { to: 'a@example.com', name: 'A' }, { at: AT });
    assert.equal(none.subject, 'Your password was changed');
    assert.match(none.text, /13:05|1:05/, 'UTC when no time zone');
    const canada = renderNotification('password-changed', reader('fr_CA'), { at: AT });
    assert.equal(canada.language, 'fr');
  });

  it('shows the unlock time in the user’s time zone, or says an admin must unlock', () => {
    const paris = renderNotification('account-locked', reader('fr'), PARAMS['account-locked']);
    assert.match(paris.text, /lundi 15 janvier 2024 à 14:35/);
    const tokyo = renderNotification(
      'account-locked',
      { ...reader('en'), timeZone: 'Asia/Tokyo' },
      PARAMS['account-locked'],
    );
    assert.match(tokyo.text, /January 15, 2024.*10:35/);
    const manual = renderNotification('account-locked', reader('de'), { at: AT, unlockAt: null });
    assert.match(manual.text, /Administrator muss es entsperren/);
    const badZone = renderNotification(
      'account-locked',
      { ...reader('en'), timeZone: 'Mars/Olympus' },
      PARAMS['account-locked'],
    );
    assert.match(badZone.text, /01:35|1:35/);
  });

  it('says the days left and the validity of links in the reader’s words', () => {
    assert.equal(
      renderNotification('password-expiring', reader('en'), PARAMS['password-expiring']).subject,
      'Your password expires in 5 days',
    );
    assert.equal(
      renderNotification('password-expiring', reader('fr'), { ...PARAMS['password-expiring'], daysLeft: 1 })
        .subject,
      'Votre mot de passe expire demain',
    );
    assert.equal(
      renderNotification('password-expiring', reader('de'), PARAMS['password-expiring']).subject,
      'Ihr Passwort läuft in 5 Tagen ab',
    );
    assert.match(
      renderNotification('password-reset', reader('de'), PARAMS['password-reset']).text,
      /24\sStunden gültig/,
    );
    assert.match(renderNotification('invitation', reader('fr'), PARAMS.invitation).text, /valable 7\sjours/);
    const reset = renderNotification('password-reset', reader('en'), PARAMS['password-reset']);
    assert.ok(reset.text.includes('https://edge.example/reset#token=RESET-SECRET'));
    assert.ok(reset.html.includes('href="https://edge.example/reset#token=RESET-SECRET"'));
  });

  it('lists each fax recipient with its result and reason', () => {
    const mail = renderNotification('fax-receipt', reader('en'), PARAMS['fax-receipt']);
    assert.equal(mail.subject, 'Fax to 3 recipients partly delivered');
    assert.match(mail.text, /\+12125550100 \| Delivered \| 3 of 3 pages sent/);
    assert.match(mail.text, /\+33144556677 \| Failed \| The line was busy\./);
    assert.match(mail.text, /\+4930123456 \| Failed \| <b>odd<\/b>/);
    assert.ok(mail.html.includes('&lt;b&gt;odd&lt;/b&gt;'));
    const one = renderNotification('fax-receipt', reader('de'), {
      job: { ...PARAMS['fax-receipt'].job, recipients: [PARAMS['fax-receipt'].job.recipients[0]!] },
    });
    assert.equal(one.subject, 'Fax an +12125550100 zugestellt');
  });

  it('refuses links that are not http(s)', () => {
    assert.throws(
      () =>
        renderNotification('password-reset', reader('en'), {
          ...PARAMS['password-reset'],
          url: 'javascript:alert(1)',
        }),
      /http\(s\)/,
    );
  });
});

import type { UserAccount } from '../domain/user.ts';
import { de } from '../mail/mail-catalog-de.ts';
import { en } from '../mail/mail-catalog-en.ts';
import { fr } from '../mail/mail-catalog-fr.ts';
import { renderMail } from '../mail/mail-document.ts';
import type { Mailer, QueuedMail } from '../mail/mailer.ts';
import { resolveLocale } from '../mail/locale.ts';

/** The mail kind, as the queue logs it. */
export const RESET_UNAVAILABLE_KIND = 'password-reset-unavailable';

const TEXT = {
  en: {
    subject: 'About your password reset request',
    body: 'Someone asked to reset the password of your account. Your account does not use a password here, so there is nothing to reset.',
    howTo:
      "Sign in with your company sign-in, or at the printer's own sign-in (your badge, card or PIN). If that does not work, ask your administrator.",
    ignore: 'If you did not ask for this, you can ignore this message.',
  },
  fr: {
    subject: 'Votre demande de réinitialisation du mot de passe',
    body: "Quelqu'un a demandé à réinitialiser le mot de passe de votre compte. Votre compte n'utilise pas de mot de passe ici : il n'y a rien à réinitialiser.",
    howTo:
      "Connectez-vous avec la connexion de votre entreprise, ou avec la connexion propre à l'imprimante (badge, carte ou code PIN). Si cela ne fonctionne pas, adressez-vous à votre administrateur.",
    ignore: "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
  },
  de: {
    subject: 'Zu Ihrer Anfrage zum Zurücksetzen des Passworts',
    body: 'Jemand hat angefordert, das Passwort Ihres Kontos zurückzusetzen. Ihr Konto verwendet hier kein Passwort, daher gibt es nichts zurückzusetzen.',
    howTo:
      'Melden Sie sich mit der Anmeldung Ihres Unternehmens an oder an der Anmeldung des Druckers selbst (Ausweis, Karte oder PIN). Wenn das nicht klappt, wenden Sie sich an Ihren Administrator.',
    ignore: 'Wenn Sie das nicht angefordert haben, können Sie diese Nachricht ignorieren.',
  },
} as const;

const CATALOGS = { en, fr, de } as const;

/**
 * What a user whose built-in password is disabled gets when someone asks to reset it: no link, but
 * where to sign in instead. Told by mail only, never on the page, so the page's answer stays the
 * same for every address. (The mail room's catalogs have no such message yet; this renders with
 * their greeting, signature and footer, and can move there as a Notifier method.)
 */
export function sendResetUnavailable(mailer: Pick<Mailer, 'enqueue'>, user: UserAccount): QueuedMail {
  const locale = resolveLocale(user.language, user.timeZone);
  const text = TEXT[locale.language];
  const catalog = CATALOGS[locale.language];
  const rendered = renderMail({
    language: locale.language,
    subject: text.subject,
    greeting: catalog.greeting(user.displayName.trim() || user.email),
    blocks: [
      { kind: 'paragraph', text: text.body },
      { kind: 'paragraph', text: text.howTo },
      { kind: 'note', text: text.ignore },
    ],
    signature: catalog.signature,
    footer: catalog.footer,
  });
  const name = user.displayName.trim();
  return mailer.enqueue({
    kind: RESET_UNAVAILABLE_KIND,
    to: user.email,
    ...(name ? { toName: name } : {}),
    ...rendered,
  });
}

import type { MailCatalog } from './mail-catalog.ts';

export const de: MailCatalog = {
  greeting: (name) => `Hallo ${name},`,
  signature: 'Ihr mfp-edge Fax- und Scandienst',
  footer:
    'Diese Nachricht wurde automatisch vom Fax- und Scandienst Ihrer Bürodrucker gesendet. Antworten darauf werden nicht gelesen.',
  actionFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  notYou: 'Falls Sie das nicht waren, wenden Sie sich sofort an Ihren Administrator.',
  passwordChanged: {
    subject: 'Ihr Passwort wurde geändert',
    body: (at) => `Das Passwort Ihres Kontos wurde am ${at} geändert.`,
  },
  twoFactorEnabled: {
    subject: 'Die Zwei-Faktor-Authentifizierung ist aktiviert',
    body: (at) =>
      `Die Zwei-Faktor-Authentifizierung wurde am ${at} für Ihr Konto aktiviert. Bei der Anmeldung wird ab jetzt auch ein Code aus Ihrer Authenticator-App abgefragt.`,
  },
  twoFactorDisabled: {
    subject: 'Die Zwei-Faktor-Authentifizierung ist deaktiviert',
    body: (at) =>
      `Die Zwei-Faktor-Authentifizierung wurde am ${at} für Ihr Konto deaktiviert. Zur Anmeldung genügt jetzt Ihr Passwort.`,
    advice:
      'Wir empfehlen, sie wieder zu aktivieren: Sie schützt Ihr Konto auch dann, wenn Ihr Passwort gestohlen wird.',
  },
  accountLocked: {
    subject: 'Ihr Konto ist gesperrt',
    body: (at) => `Ihr Konto wurde am ${at} nach zu vielen fehlgeschlagenen Anmeldeversuchen gesperrt.`,
    unlocksAt: (at) => `Es wird am ${at} automatisch entsperrt. Danach können Sie sich wieder anmelden.`,
    adminUnlock: 'Ein Administrator muss es entsperren, bevor Sie sich wieder anmelden können.',
  },
  passwordExpiring: {
    subject: (inDays) => `Ihr Passwort läuft ${inDays} ab`,
    body: (inDays, at) => `Ihr Passwort läuft ${inDays} ab, am ${at}.`,
    howTo:
      'Ändern Sie es vorher, am Bedienfeld eines Druckers oder in Ihren Kontoeinstellungen, damit Sie am Drucker nicht aufgehalten werden.',
  },
  invitation: {
    subject: (enterprise) => `Einladung zum Fax- und Scandienst von ${enterprise}`,
    body: (enterprise, inviter) =>
      inviter
        ? `${inviter} hat Sie eingeladen, den Fax- und Scandienst der Bürodrucker von ${enterprise} zu nutzen.`
        : `Sie sind eingeladen, den Fax- und Scandienst der Bürodrucker von ${enterprise} zu nutzen.`,
    action: 'Einladung annehmen',
    validity: (duration, until) => `Diese Einladung ist ${duration} gültig, bis ${until}.`,
    ignore: 'Falls Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.',
  },
  passwordReset: {
    subject: 'Setzen Sie Ihr Passwort zurück',
    body: 'Für Ihr Konto wurde das Zurücksetzen des Passworts angefordert. Über die Schaltfläche unten wählen Sie ein neues.',
    action: 'Neues Passwort wählen',
    validity: (duration, until) =>
      `Dieser Link ist ${duration} gültig, bis ${until}, und funktioniert nur einmal.`,
    ignore:
      'Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.',
  },
  welcome: {
    subject: (enterprise) => `Willkommen beim Fax- und Scandienst von ${enterprise}`,
    body: (enterprise) => `Ihr Konto für den Fax- und Scandienst von ${enterprise} ist bereit.`,
    howTo:
      'Öffnen Sie an einem beliebigen Bürodrucker die Fax-App auf dem Touch-Bedienfeld, melden Sie sich an, legen Sie Ihre Seiten in den Einzug und geben Sie eine Faxnummer ein.',
    action: 'Ihr Konto öffnen',
  },
  faxReceipt: {
    subject: {
      delivered: (to) => `Fax an ${to} zugestellt`,
      partial: (to) => `Fax an ${to} teilweise zugestellt`,
      failed: (to) => `Fax an ${to} nicht zugestellt`,
    },
    summary: {
      delivered: () => 'Ihr Fax wurde zugestellt.',
      partial: (delivered, total) => `Ihr Fax wurde ${delivered} von ${total} Empfängern zugestellt.`,
      failed: () => 'Ihr Fax konnte nicht zugestellt werden.',
    },
    recipients: (_count, formatted) => `${formatted} Empfänger`,
    facts: { job: 'Auftrag', pages: 'Seiten', submitted: 'Gesendet am', finished: 'Beendet am' },
    head: { number: 'Nummer', result: 'Ergebnis', details: 'Details' },
    results: { delivered: 'Zugestellt', failed: 'Fehlgeschlagen', cancelled: 'Abgebrochen' },
    attempts: (n) => (n === '1' ? 'nach 1 Versuch' : `nach ${n} Versuchen`),
    pagesSent: (sent, total) => `${sent} von ${total} Seiten gesendet`,
    reasons: {
      PDF_ENCRYPTED: 'Das PDF ist durch ein Passwort geschützt.',
      PDF_INVALID: 'Das PDF konnte nicht gelesen werden.',
      DEVICE_UNAUTHORIZED: 'Der Drucker, der E-Mail-Faxe sendet, wurde entfernt.',
      FAX_BUSY: 'Die Leitung war besetzt.',
      FAX_NO_ANSWER: 'Niemand hat geantwortet.',
      FAX_DROPPED: 'Die Verbindung brach während der Übertragung ab.',
      FAX_LINE_DOWN: 'Die Faxleitung des Druckers war gestört.',
      FAX_ERROR: 'Das Faxmodem hat einen Fehler gemeldet.',
      FAX_UNSUPPORTED: 'Der Drucker hat kein Faxmodem.',
      INVALID_NUMBER: 'Die Nummer ist keine gültige Faxnummer.',
      SCANNER_JAM: 'Im Einzug gab es einen Papierstau.',
      SCAN_INTERRUPTED: 'Das Scannen wurde unterbrochen.',
      IMAGE_INVALID: 'Eine gescannte Seite konnte nicht gelesen werden.',
      IMAGE_TOO_LARGE: 'Eine gescannte Seite war zu groß.',
      SPOOL_FULL: 'Der Dienst hatte keinen Speicherplatz mehr.',
      INTERNAL: 'Ein unerwarteter Fehler hat den Auftrag beendet.',
    },
  },
};

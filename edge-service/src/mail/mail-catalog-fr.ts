import type { MailCatalog } from './mail-catalog.ts';

export const fr: MailCatalog = {
  greeting: (name) => `Bonjour ${name},`,
  signature: 'Votre service de fax et de numérisation mfp-edge',
  footer:
    'Ce message a été envoyé automatiquement par le service de fax et de numérisation de vos imprimantes. Les réponses ne sont pas lues.',
  actionFallback: 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :',
  notYou: 'Si vous n’êtes pas à l’origine de cette action, contactez immédiatement votre administrateur.',
  passwordChanged: {
    subject: 'Votre mot de passe a été modifié',
    body: (at) => `Le mot de passe de votre compte a été modifié le ${at}.`,
  },
  twoFactorEnabled: {
    subject: 'L’authentification à deux facteurs est activée',
    body: (at) =>
      `L’authentification à deux facteurs a été activée pour votre compte le ${at}. Désormais, la connexion demande aussi un code de votre application d’authentification.`,
  },
  twoFactorDisabled: {
    subject: 'L’authentification à deux facteurs est désactivée',
    body: (at) =>
      `L’authentification à deux facteurs a été désactivée pour votre compte le ${at}. La connexion ne demande plus que votre mot de passe.`,
    advice:
      'Nous vous conseillons de la réactiver : elle protège votre compte même si votre mot de passe est volé.',
  },
  accountLocked: {
    subject: 'Votre compte est verrouillé',
    body: (at) => `Votre compte a été verrouillé le ${at} après trop de tentatives de connexion échouées.`,
    unlocksAt: (at) => `Il se déverrouillera automatiquement le ${at}. Vous pourrez alors vous reconnecter.`,
    adminUnlock: 'Un administrateur doit le déverrouiller avant que vous puissiez vous reconnecter.',
  },
  passwordExpiring: {
    subject: (inDays) => `Votre mot de passe expire ${inDays}`,
    body: (inDays, at) => `Votre mot de passe expire ${inDays}, le ${at}.`,
    howTo:
      'Modifiez-le avant cette date, sur le panneau d’une imprimante ou dans les paramètres de votre compte, pour ne pas être bloqué à l’imprimante.',
  },
  invitation: {
    subject: (enterprise) => `Invitation au service de fax et de numérisation de ${enterprise}`,
    body: (enterprise, inviter) =>
      inviter
        ? `${inviter} vous invite à utiliser le service de fax et de numérisation des imprimantes de ${enterprise}.`
        : `Vous êtes invité à utiliser le service de fax et de numérisation des imprimantes de ${enterprise}.`,
    action: 'Accepter l’invitation',
    validity: (duration, until) => `Cette invitation est valable ${duration}, jusqu’au ${until}.`,
    ignore: 'Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message.',
  },
  passwordReset: {
    subject: 'Réinitialisez votre mot de passe',
    body: 'Une demande de réinitialisation du mot de passe de votre compte a été faite. Utilisez le bouton ci-dessous pour en choisir un nouveau.',
    action: 'Choisir un nouveau mot de passe',
    validity: (duration, until) =>
      `Ce lien est valable ${duration}, jusqu’au ${until}, et ne fonctionne qu’une seule fois.`,
    ignore: 'Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.',
  },
  welcome: {
    subject: (enterprise) => `Bienvenue au service de fax et de numérisation de ${enterprise}`,
    body: (enterprise) => `Votre compte pour le service de fax et de numérisation de ${enterprise} est prêt.`,
    howTo:
      'Sur n’importe quelle imprimante du bureau, ouvrez l’application Fax sur l’écran tactile, connectez-vous, placez vos pages dans le chargeur et saisissez un numéro de fax.',
    action: 'Ouvrir votre compte',
  },
  faxReceipt: {
    subject: {
      delivered: (to) => `Fax pour ${to} remis`,
      partial: (to) => `Fax pour ${to} partiellement remis`,
      failed: (to) => `Fax pour ${to} non remis`,
    },
    summary: {
      delivered: () => 'Votre fax a été remis.',
      partial: (delivered, total) => `Votre fax a été remis à ${delivered} destinataires sur ${total}.`,
      failed: () => 'Votre fax n’a pas pu être remis.',
    },
    recipients: (count, formatted) =>
      count === 1 ? `${formatted} destinataire` : `${formatted} destinataires`,
    facts: { job: 'Tâche', pages: 'Pages', submitted: 'Envoyé le', finished: 'Terminé le' },
    head: { number: 'Numéro', result: 'Résultat', details: 'Détails' },
    results: { delivered: 'Remis', failed: 'Échec', cancelled: 'Annulé' },
    attempts: (n) => (n === '1' ? 'après 1 tentative' : `après ${n} tentatives`),
    pagesSent: (sent, total) => `${sent} pages sur ${total} envoyées`,
    reasons: {
      PDF_ENCRYPTED: 'Le PDF est protégé par un mot de passe.',
      PDF_INVALID: 'Le PDF est illisible.',
      DEVICE_UNAUTHORIZED: 'L’imprimante qui envoie les fax par e-mail a été retirée.',
      FAX_BUSY: 'La ligne était occupée.',
      FAX_NO_ANSWER: 'Personne n’a répondu.',
      FAX_DROPPED: 'L’appel a été coupé pendant la transmission.',
      FAX_LINE_DOWN: 'La ligne de fax de l’imprimante était hors service.',
      FAX_ERROR: 'Le modem fax a signalé une erreur.',
      FAX_UNSUPPORTED: 'L’imprimante n’a pas de modem fax.',
      INVALID_NUMBER: 'Le numéro n’est pas un numéro de fax valide.',
      SCANNER_JAM: 'Le papier s’est coincé dans le chargeur.',
      SCAN_INTERRUPTED: 'La numérisation a été interrompue.',
      IMAGE_INVALID: 'Une page numérisée n’a pas pu être lue.',
      IMAGE_TOO_LARGE: 'Une page numérisée était trop grande.',
      SPOOL_FULL: 'Le service n’avait plus d’espace disque.',
      INTERNAL: 'Une erreur inattendue a arrêté la tâche.',
    },
  },
};

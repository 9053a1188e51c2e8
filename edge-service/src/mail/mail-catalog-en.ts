import type { MailCatalog } from './mail-catalog.ts';

export const en: MailCatalog = {
  greeting: (name) => `Hello ${name},`,
  signature: 'Your mfp-edge fax and scan service',
  footer:
    'This message was sent automatically by the fax and scan service of your office printers. Replies to it are not read.',
  actionFallback: 'If the button does not work, copy this address into your browser:',
  notYou: 'If this was not you, contact your administrator at once.',
  passwordChanged: {
    subject: 'Your password was changed',
    body: (at) => `The password of your account was changed on ${at}.`,
  },
  twoFactorEnabled: {
    subject: 'Two-factor authentication is on',
    body: (at) =>
      `Two-factor authentication was turned on for your account on ${at}. From now on, signing in also asks for a code from your authenticator app.`,
  },
  twoFactorDisabled: {
    subject: 'Two-factor authentication is off',
    body: (at) =>
      `Two-factor authentication was turned off for your account on ${at}. Signing in now needs your password only.`,
    advice: 'We recommend turning it back on: it protects your account even if your password is stolen.',
  },
  accountLocked: {
    subject: 'Your account is locked',
    body: (at) => `Your account was locked on ${at} after too many failed sign-in attempts.`,
    unlocksAt: (at) => `It will unlock by itself on ${at}. You can then sign in again.`,
    adminUnlock: 'An administrator has to unlock it before you can sign in again.',
  },
  passwordExpiring: {
    subject: (inDays) => `Your password expires ${inDays}`,
    body: (inDays, at) => `Your password expires ${inDays}, on ${at}.`,
    howTo:
      'Change it before then, at a printer panel or in your account settings, so you are not stopped at the printer.',
  },
  invitation: {
    subject: (enterprise) => `You are invited to ${enterprise} fax and scan`,
    body: (enterprise, inviter) =>
      inviter
        ? `${inviter} invited you to use the office printers' fax and scan service of ${enterprise}.`
        : `You are invited to use the office printers' fax and scan service of ${enterprise}.`,
    action: 'Accept the invitation',
    validity: (duration, until) => `This invitation is valid for ${duration}, until ${until}.`,
    ignore: 'If you did not expect this invitation, you can ignore this message.',
  },
  passwordReset: {
    subject: 'Reset your password',
    body: 'Someone asked to reset the password of your account. Use the button below to choose a new one.',
    action: 'Choose a new password',
    validity: (duration, until) => `This link is valid for ${duration}, until ${until}, and works only once.`,
    ignore: 'If you did not ask for this, ignore this message: your password stays as it is.',
  },
  welcome: {
    subject: (enterprise) => `Welcome to ${enterprise} fax and scan`,
    body: (enterprise) => `Your account for the fax and scan service of ${enterprise} is ready.`,
    howTo:
      'At any office printer, open the Fax app on the touch panel, sign in, place your pages in the feeder and type a fax number.',
    action: 'Open your account',
  },
  faxReceipt: {
    subject: {
      delivered: (to) => `Fax to ${to} delivered`,
      partial: (to) => `Fax to ${to} partly delivered`,
      failed: (to) => `Fax to ${to} not delivered`,
    },
    summary: {
      delivered: () => 'Your fax was delivered.',
      partial: (delivered, total) => `Your fax reached ${delivered} of ${total} recipients.`,
      failed: () => 'Your fax could not be delivered.',
    },
    recipients: (count, formatted) => (count === 1 ? `${formatted} recipient` : `${formatted} recipients`),
    facts: { job: 'Job', pages: 'Pages', submitted: 'Sent at', finished: 'Finished at' },
    head: { number: 'Number', result: 'Result', details: 'Details' },
    results: { delivered: 'Delivered', failed: 'Failed', cancelled: 'Cancelled' },
    attempts: (n) => (n === '1' ? 'after 1 attempt' : `after ${n} attempts`),
    pagesSent: (sent, total) => `${sent} of ${total} pages sent`,
    reasons: {
      PDF_ENCRYPTED: 'The PDF is protected by a password.',
      PDF_INVALID: 'The PDF could not be read.',
      DEVICE_UNAUTHORIZED: 'The printer sending email faxes was removed.',
      FAX_BUSY: 'The line was busy.',
      FAX_NO_ANSWER: 'Nobody answered.',
      FAX_DROPPED: 'The call dropped during transmission.',
      FAX_LINE_DOWN: 'The fax line of the printer was down.',
      FAX_ERROR: 'The fax modem reported an error.',
      FAX_UNSUPPORTED: 'The printer has no fax modem.',
      INVALID_NUMBER: 'The number is not a valid fax number.',
      SCANNER_JAM: 'Paper jammed in the feeder.',
      SCAN_INTERRUPTED: 'Scanning was interrupted.',
      IMAGE_INVALID: 'A scanned page could not be read.',
      IMAGE_TOO_LARGE: 'A scanned page was too large.',
      SPOOL_FULL: 'The service ran out of disk space.',
      INTERNAL: 'An unexpected error stopped the job.',
    },
  },
};

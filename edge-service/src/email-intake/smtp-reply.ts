/**
 * A refusal the SMTP intake sends as its reply: the basic code (RFC 5321), the enhanced status
 * code (RFC 3463) and a text a person can act on. smtp-server sends `responseCode` and the message
 * as they are; the enhanced code leads the text (the server's own enhanced codes stay off, so a
 * reply never carries two).
 */
export class SmtpReply extends Error {
  readonly responseCode: number;
  readonly enhanced: string;
  /** Stable code for logs and the audit trail. */
  readonly code: string;

  constructor(responseCode: number, enhanced: string, code: string, text: string) {
    super(`${enhanced} ${text}`);
    this.name = 'SmtpReply';
    this.responseCode = responseCode;
    this.enhanced = enhanced;
    this.code = code;
  }

  /** 4xx: the sender's server keeps the message and tries again later. */
  get temporary(): boolean {
    return this.responseCode < 500;
  }
}

export const reply = {
  disabled: (domain: string) =>
    new SmtpReply(
      550,
      '5.7.1',
      'EMAIL_TO_FAX_DISABLED',
      `Email-to-fax is turned off for ${domain}: ask your administrator to enable it, or fax from the printer.`,
    ),
  unknownDomain: (domain: string) =>
    new SmtpReply(
      550,
      '5.1.2',
      'EMAIL_TO_FAX_UNKNOWN_DOMAIN',
      `${domain} is not a fax domain of this edge: address faxes as <number>@<your fax domain>.`,
    ),
  notAllowedAddress: (ip: string) =>
    new SmtpReply(
      550,
      '5.7.1',
      'EMAIL_TO_FAX_ADDRESS_REFUSED',
      `Your mail server's address ${ip} is not on the email-to-fax allow-list: send from your company's mail server or ask your administrator to add it.`,
    ),
  spfFailed: (domain: string, ip: string, result: string) =>
    new SmtpReply(
      550,
      '5.7.23',
      'EMAIL_TO_FAX_SPF_FAILED',
      `SPF check ${result}: ${domain} does not say that ${ip} may send its mail, so this could be a forged sender. Send through your domain's own mail server.`,
    ),
  spfNoVerdict: (domain: string, ip: string, result: string) =>
    new SmtpReply(
      550,
      '5.7.23',
      'EMAIL_TO_FAX_SPF_FAILED',
      `SPF check ${result}: ${domain} does not confirm that ${ip} may send its mail, and this fax service requires that proof. Publish an SPF record listing your mail server, or ask your administrator to allow its address.`,
    ),
  spfPermError: (domain: string) =>
    new SmtpReply(
      550,
      '5.7.24',
      'EMAIL_TO_FAX_SPF_FAILED',
      `The SPF record of ${domain} is broken (permerror), so the sender cannot be checked: fix the record and send again.`,
    ),
  spfTempError: (domain: string) =>
    new SmtpReply(
      451,
      '4.4.3',
      'EMAIL_TO_FAX_SPF_TEMPERROR',
      `The SPF record of ${domain} could not be looked up right now (DNS did not answer): try again later; your mail server will retry by itself.`,
    ),
  unknownSender: (sender: string) =>
    new SmtpReply(
      550,
      '5.7.1',
      'EMAIL_TO_FAX_SENDER_REFUSED',
      `${sender || 'An empty sender'} may not send faxes: only people with an account here and addresses of trusted domains can. Ask your administrator.`,
    ),
  senderFaxDisabled: (sender: string) =>
    new SmtpReply(
      550,
      '5.7.1',
      'EMAIL_TO_FAX_SENDER_REFUSED',
      `Faxing is turned off for ${sender}: ask your administrator.`,
    ),
  otherEnterprise: () =>
    new SmtpReply(
      452,
      '4.5.3',
      'EMAIL_TO_FAX_MIXED_DOMAINS',
      'One message may go to one fax domain only: send this recipient in a separate message.',
    ),
  tooManyRecipients: (max: number) =>
    new SmtpReply(
      452,
      '4.5.3',
      'EMAIL_TO_FAX_TOO_MANY_RECIPIENTS',
      `At most ${max} fax numbers per message: send the others in another message.`,
    ),
  invalidNumber: (local: string, why: string) =>
    new SmtpReply(
      553,
      '5.1.3',
      'FAX_NUMBER_INVALID',
      `"${local.slice(0, 40)}" is not a fax number (${why}): write it as <number>@<fax domain>, e.g. +15551234567@fax.example.com.`,
    ),
  numberRefused: (number: string, why: string) =>
    new SmtpReply(550, '5.7.1', 'FAX_DESTINATION_REFUSED', `${number} may not be faxed: ${why}`),
  noRecipients: () =>
    new SmtpReply(554, '5.5.1', 'EMAIL_TO_FAX_NO_RECIPIENTS', 'No valid fax number: nothing to send.'),
  tooBig: (maxMb: number) =>
    new SmtpReply(
      552,
      '5.3.4',
      'EMAIL_TO_FAX_TOO_BIG',
      `The message is larger than the ${maxMb} MB email-to-fax accepts: send fewer or smaller attachments.`,
    ),
  noFaxLine: () =>
    new SmtpReply(
      451,
      '4.3.2',
      'EMAIL_TO_FAX_NO_LINE',
      'No fax line is available for email faxes right now: try again later; your mail server will retry by itself.',
    ),
  busy: () =>
    new SmtpReply(
      421,
      '4.7.0',
      'EMAIL_TO_FAX_RATE_LIMITED',
      'Too many connections or messages from your address: wait a few minutes and try again.',
    ),
  authRequiresTls: () =>
    new SmtpReply(
      538,
      '5.7.11',
      'EMAIL_TO_FAX_TLS_REQUIRED',
      'Use STARTTLS before AUTH: passwords are never sent in clear text.',
    ),
  authFailed: (why: string) => new SmtpReply(535, '5.7.8', 'INVALID_CREDENTIALS', why),
  internal: () =>
    new SmtpReply(
      451,
      '4.3.0',
      'INTERNAL',
      'The fax could not be queued because of an error on the edge: try again later.',
    ),
};

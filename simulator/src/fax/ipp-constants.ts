/** IPP numbers the fax modem speaks (RFC 8010, RFC 8011, PWG 5100.15). No I/O. */

export const GroupTag = {
  operation: 0x01,
  job: 0x02,
  end: 0x03,
  printer: 0x04,
  unsupported: 0x05,
  document: 0x09,
} as const;

export const ValueTag = {
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  extension: 0x7f,
} as const;

export const Operation = {
  printJob: 0x0002,
  validateJob: 0x0004,
  createJob: 0x0005,
  sendDocument: 0x0006,
  cancelJob: 0x0008,
  getJobAttributes: 0x0009,
  getJobs: 0x000a,
  getPrinterAttributes: 0x000b,
  cancelMyJobs: 0x0039,
  closeJob: 0x003b,
  identifyPrinter: 0x003c,
} as const;

export const StatusCode = {
  successfulOk: 0x0000,
  successfulOkIgnoredOrSubstitutedAttributes: 0x0001,
  clientErrorBadRequest: 0x0400,
  clientErrorNotAuthorized: 0x0403,
  clientErrorNotPossible: 0x0404,
  clientErrorNotFound: 0x0406,
  clientErrorRequestEntityTooLarge: 0x0408,
  clientErrorDocumentFormatNotSupported: 0x040a,
  clientErrorAttributesOrValuesNotSupported: 0x040b,
  clientErrorUriSchemeNotSupported: 0x040c,
  clientErrorCharsetNotSupported: 0x040d,
  clientErrorCompressionNotSupported: 0x040f,
  clientErrorCompressionError: 0x0410,
  clientErrorDocumentFormatError: 0x0411,
  serverErrorInternalError: 0x0500,
  serverErrorOperationNotSupported: 0x0501,
  serverErrorVersionNotSupported: 0x0503,
  serverErrorNotAcceptingJobs: 0x0506,
  serverErrorBusy: 0x0507,
} as const;
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

/** job-state and, per PWG 5100.15, destination-statuses/transmission-status share these values. */
export const JobState = {
  pending: 3,
  pendingHeld: 4,
  processing: 5,
  processingStopped: 6,
  canceled: 7,
  aborted: 8,
  completed: 9,
} as const;
export type JobStateValue = (typeof JobState)[keyof typeof JobState];

export const PrinterState = { idle: 3, processing: 4, stopped: 5 } as const;

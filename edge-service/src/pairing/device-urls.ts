import { EdgeError } from '../edge-error.ts';

const SCHEMES = {
  scannerUrl: ['http:', 'https:'],
  faxUrl: ['ipp:', 'ipps:', 'http:', 'https:'],
  deviceApiUrl: ['http:', 'https:'],
} as const;

type UrlField = keyof typeof SCHEMES;

/**
 * One device address as the admin typed it: trimmed, an absolute URL of the field's schemes (eSCL
 * and the device API over http(s), IPP FaxOut over ipp(s) or http(s)), with no user name or password
 * in it (the device's admin credential is stored encrypted, apart). Null and '' mean "none".
 * VALIDATION_FAILED naming the field otherwise.
 */
export function checkDeviceUrl(field: UrlField, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const text = value.trim();
  const allowed: readonly string[] = SCHEMES[field];
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url === null || !allowed.includes(url.protocol) || url.hostname === '')
    throw new EdgeError(
      'VALIDATION_FAILED',
      `${field}: "${text.slice(0, 200)}" is not an absolute ${allowed.map((s) => `${s}//`).join(', ')} URL.`,
    );
  if (url.username !== '' || url.password !== '')
    throw new EdgeError(
      'VALIDATION_FAILED',
      `${field}: the URL cannot hold a user name or password (set the device's admin credential instead).`,
    );
  return text.replace(/\/+$/, '');
}

export function checkDeviceUrls(input: {
  scannerUrl?: string | null | undefined;
  faxUrl?: string | null | undefined;
  deviceApiUrl?: string | null | undefined;
}): { scannerUrl: string | null; faxUrl: string | null; deviceApiUrl: string | null } {
  return {
    scannerUrl: checkDeviceUrl('scannerUrl', input.scannerUrl),
    faxUrl: checkDeviceUrl('faxUrl', input.faxUrl),
    deviceApiUrl: checkDeviceUrl('deviceApiUrl', input.deviceApiUrl),
  };
}

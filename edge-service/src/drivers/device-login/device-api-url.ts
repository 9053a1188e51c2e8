/**
 * Where a device's device API lives. Pure.
 *
 * An explicit `deviceApiUrl` wins (a real MFP may serve its device API on another port or scheme
 * than its scanner, e.g. HTTPS 443 beside eSCL on 8080). Without one, the device API is the
 * scanner URL's origin + `/device/api/v1`: the simulator and most MFPs serve both from one web
 * server, so paired devices work without another setting. The fax URL (ipp://…:631) is not used:
 * the IPP port is rarely the device's web server.
 */
export const DEVICE_API_PATH = '/device/api/v1';

export function deviceApiBaseUrl(device: {
  deviceApiUrl?: string | null;
  scannerUrl: string | null;
}): string | null {
  if (device.deviceApiUrl) return stripCredentials(device.deviceApiUrl).replace(/\/+$/, '');
  if (!device.scannerUrl) return null;
  let scanner: URL;
  try {
    scanner = new URL(device.scannerUrl);
  } catch {
    return null;
  }
  if (scanner.protocol !== 'http:' && scanner.protocol !== 'https:') return null;
  return `${scanner.origin}${DEVICE_API_PATH}`;
}

/** `http://user:pass@host/x` → `http://host/x`: credentials travel in a header, never in a URL. */
function stripCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { adminCommand } from '../../bin/cli/admin-command.ts';
import type { EdgeService } from '../../edge-service/src/edge-service.ts';
import { hashDeviceToken, newDeviceToken } from '../../edge-service/src/services/device-credentials.ts';
import type { AuthMode } from '../../protocol/index.ts';
import { createAccount } from './api-client.ts';

/** `mfp-edge admin …` in-process on the edge's data folder; the password, if any, on standard input. */
export async function admin(edge: EdgeService, args: string[], stdin = ''): Promise<string> {
  let out = '';
  let err = '';
  const code = await adminCommand(['--data', edge.dataDir, ...args], {
    stdin: Readable.from(stdin ? [stdin] : []),
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
  });
  assert.equal(code, 0, `mfp-edge admin ${args.join(' ')}: ${err}`);
  return out;
}

/** A user of the demo enterprise with a password and an enrolled authenticator: its id and TOTP secret. */
export async function userWithTotp(
  edge: EdgeService,
  email: string,
  password: string,
): Promise<{ id: string; secret: string }> {
  const enterprise = edge.repositories.directory.findEnterpriseByName('Demo Enterprise')!;
  const account = await createAccount(edge, {
    enterprise,
    email,
    password,
    role: 'user',
    displayName: `Person ${email}`,
  });
  return { id: account.user.id, secret: account.totpSecret! };
}

/** A device of the demo enterprise: its id, credential and panel URL. */
export function addDevice(
  edge: EdgeService,
  name: string,
  mode: AuthMode,
  urls: { scannerUrl: string | null; faxUrl: string | null } = { scannerUrl: null, faxUrl: null },
): { id: string; token: string; url: string } {
  const { devices, directory } = edge.repositories;
  const enterprise = directory.findEnterpriseByName('Demo Enterprise')!;
  const token = newDeviceToken();
  const device = devices.create({
    enterpriseId: enterprise.id,
    name,
    authMode: mode,
    sharedUserId: null,
    ...urls,
    tokenHash: hashDeviceToken(token),
  });
  return { id: device.id, token, url: `${edge.url}/panel/#device-token=${token}` };
}

/** A browser-less client of the account page: cookies kept, redirects not followed, forms posted same-origin. */
export class FormClient {
  readonly #origin: string;
  readonly cookies = new Map<string, string>();

  constructor(origin: string) {
    this.#origin = origin;
  }

  async get(path: string): Promise<{ status: number; location: string | null; body: string }> {
    const response = await fetch(new URL(path, this.#origin), {
      redirect: 'manual',
      headers: { cookie: this.#cookieHeader() },
    });
    this.#keep(response);
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  }

  async post(
    path: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; location: string | null; body: string }> {
    const response = await fetch(new URL(path, this.#origin), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: this.#cookieHeader(),
        origin: this.#origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields).toString(),
    });
    this.#keep(response);
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  #keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The value of a hidden field (or meta) of a server-rendered page. */
export function field(body: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(body);
  assert.ok(match, `no field ${name} in the page`);
  return match[1]!.replace(/&amp;/g, '&');
}

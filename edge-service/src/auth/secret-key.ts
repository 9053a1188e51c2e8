import { hkdfSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EdgeError } from '../edge-error.ts';
import { writeDurably } from '../fs/durable-write.ts';

export const SECRET_KEY_FILE = 'secret.key';
export const SECRET_KEY_ENV = 'MFP_EDGE_SECRET_KEY';

/** 32 bytes from hex (64 digits) or base64 / base64url (43–44 characters). */
export function parseSecretKey(text: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) key = Buffer.from(value, 'base64');
  if (key?.length !== 32) throw new EdgeError('SECRET_KEY_INVALID');
  return key;
}

/**
 * The edge's master secret: MFP_EDGE_SECRET_KEY when set, else `<data>/secret.key`, created (0600,
 * 32 random bytes, base64) on first use. The edge and the admin CLI share it through the data folder;
 * creation is atomic (link of a complete temporary file), so two processes starting at once agree.
 * Back the file up with the database: without it, stored TOTP secrets cannot be read.
 */
export async function loadSecretKey(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ key: Buffer; source: 'env' | 'file' | 'created'; warning?: string }> {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: parseSecretKey(fromEnv), source: 'env' };
  const file = join(dataDir, SECRET_KEY_FILE);
  try {
    return {
      key: parseSecretKey(await readFile(file, 'utf8')),
      source: 'file',
      ...(await modeWarning(file)),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    // Durable before anything is sealed with it: a key lost to a power cut loses every secret.
    await writeDurably(file, `${randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
      temp: `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
      commit: 'create',
    });
    return { key: parseSecretKey(await readFile(file, 'utf8')), source: 'created' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process created it first: use theirs.
    return { key: parseSecretKey(await readFile(file, 'utf8')), source: 'file' };
  }
}

async function modeWarning(file: string): Promise<{ warning?: string }> {
  const { mode } = await stat(file);
  return (mode & 0o077) === 0
    ? {}
    : { warning: `${file} is readable by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it` };
}

/**
 * A key for one purpose, derived from the master key (HKDF-SHA256, RFC 5869), so the secret box and
 * the session tokens never share a key even though one secret is kept.
 */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `mfp-edge ${purpose}`, 32));
}

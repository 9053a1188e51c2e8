import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EdgeError } from '../edge-error.ts';
import { deriveKey } from './secret-key.ts';

/** Version 1: AES-256-GCM, 96-bit random nonce, 128-bit tag, `sb1.` + base64url(nonce ‖ tag ‖ ciphertext). */
const PREFIX = 'sb1.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets at rest (TOTP secrets, devices' admin credentials): AES-256-GCM under a key derived from
 * the edge's master key. Each box is bound to a context (e.g. `totp:<user id>`) as additional data,
 * so a ciphertext copied to another row does not open there. The version prefix lets a later
 * format (or key rotation) sit beside this one.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** `masterKey`: the 32 bytes of loadSecretKey(). */
  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new EdgeError('SECRET_KEY_INVALID');
    this.#key = deriveKey(masterKey, 'secret-box aes-256-gcm v1');
  }

  seal(plaintext: string | Buffer, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plaintext; SECRET_INVALID when the box was altered, made for another context or another key. */
  open(box: string, context: string): Buffer {
    if (!box.startsWith(PREFIX))
      throw new EdgeError('SECRET_INVALID', 'A stored secret has an unknown format.');
    const raw = Buffer.from(box.slice(PREFIX.length), 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new EdgeError('SECRET_INVALID');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, NONCE_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    } catch (error) {
      throw new EdgeError('SECRET_INVALID', undefined, { cause: error });
    }
  }

  openText(box: string, context: string): string {
    return this.open(box, context).toString('utf8');
  }
}

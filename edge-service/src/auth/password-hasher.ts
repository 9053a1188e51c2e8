import { hash, parseOptions, verify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id parameters: OWASP Password Storage Cheat Sheet, "Argon2id" — the minimum configuration
 * m = 19 MiB (19456 KiB), t = 2, p = 1 (DESIGN.md §11). About 50 ms a hash on one core of the edge box;
 * raise them here and stored hashes are upgraded on the next successful sign-in (needsRehash).
 */
export const ARGON2_PARAMETERS: Argon2Parameters = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
};

export interface Argon2Parameters {
  /** KiB */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  /** bytes */
  readonly outputLen: number;
}

// @node-rs/argon2 declares Algorithm as a const enum, which isolatedModules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** The form a password is hashed and compared in: NFC, so é typed precomposed or decomposed is one password. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/** Password hashing with argon2id; hashes are PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export class PasswordHasher {
  readonly #parameters: Argon2Parameters;
  #dummy: Promise<string> | undefined;

  constructor(parameters: Argon2Parameters = ARGON2_PARAMETERS) {
    this.#parameters = parameters;
  }

  hash(password: string): Promise<string> {
    return hash(normalizePassword(password), { ...this.#parameters, algorithm: ARGON2ID });
  }

  /**
   * True when `password` matches. With no hash (unknown email, or a user without a password) a
   * dummy hash of the same cost is verified, so the answer takes as long as for a wrong password.
   */
  async verify(stored: string | null, password: string): Promise<boolean> {
    const target = stored ?? (await this.#dummyHash());
    try {
      const ok = await verify(target, normalizePassword(password));
      return ok && stored !== null;
    } catch {
      // A malformed stored hash is a wrong password, not a crash of the sign-in.
      return false;
    }
  }

  /** True when the hash was made with other (older) parameters or another algorithm. */
  needsRehash(stored: string): boolean {
    try {
      const options = parseOptions(stored);
      return (
        !stored.startsWith('$argon2id$') ||
        options.memoryCost !== this.#parameters.memoryCost ||
        options.timeCost !== this.#parameters.timeCost ||
        options.parallelism !== this.#parameters.parallelism ||
        options.outputLen !== this.#parameters.outputLen
      );
    } catch {
      return true;
    }
  }

  #dummyHash(): Promise<string> {
    this.#dummy ??= this.hash(randomBytes(16).toString('base64url'));
    return this.#dummy;
  }
}

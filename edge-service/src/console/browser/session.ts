/* The console session as the API describes it, and the shapes of the sign-in steps. */
import { ApiError, get, setCsrfToken } from './api.ts';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: string;
}

export interface Session {
  user: SessionUser;
  /** The enterprise slug the console works on (`{enterprise}` in paths). */
  enterprise: string;
  enterpriseName: string;
  csrfToken: string;
}

/** A step of the console sign-in (POST /session/password, /totp, /change-password, /enrol-2fa). */
export interface SignInStep {
  step: 'totp' | 'change-password' | 'enrol-2fa' | 'done';
  stepToken?: string;
  expiresAt?: string;
  reason?: string;
  /** enrol-2fa: the key as text, its otpauth URI and the QR image (data: URL). */
  secret?: string;
  otpauthUri?: string;
  qrPng?: string;
  /** change-password: the rules to meet. */
  rules?: { rule: string; ok: boolean | null; message: string }[];
  /** done, right after enrolment: shown once. */
  recoveryCodes?: string[];
  csrfToken?: string;
}

type Raw = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The current session, or null when nobody is signed in (the CSRF token is kept either way). */
export async function loadSession(): Promise<Session | null> {
  let raw: Raw;
  try {
    raw = await get<Raw>('/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(str(error.details.csrfToken) || null);
      return null;
    }
    throw error;
  }
  setCsrfToken(str(raw.csrfToken));
  const user = (raw.user ?? null) as Raw | null;
  if (!user || raw.signedIn === false) return null;
  const ent = (raw.enterprise ?? user.enterprise ?? null) as Raw | string | null;
  const slug = typeof ent === 'string' ? ent : str(ent?.slug);
  return {
    user: {
      id: str(user.id),
      email: str(user.email),
      displayName: str(user.displayName) || str(user.email),
      role: str(user.role),
    },
    enterprise: slug || str(user.enterpriseSlug),
    enterpriseName: typeof ent === 'object' && ent ? str(ent.name) : '',
    csrfToken: str(raw.csrfToken),
  };
}

/** The console speaks only the public control API, exactly as a tester's script would. */

export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

async function call<T>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (contentType) headers['content-type'] = contentType;
  const response = await fetch(path, { method, headers, body, cache: 'no-store' });
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (an unexpected proxy page, say): report the status below.
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `${method} ${path} failed`,
    );
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  delete: <T>(path: string) => call<T>('DELETE', path),
  putJson: <T>(path: string, value: unknown) =>
    call<T>('PUT', path, JSON.stringify(value), 'application/json'),
  postJson: <T>(path: string, value: unknown) =>
    call<T>('POST', path, JSON.stringify(value), 'application/json'),
  putFile: <T>(path: string, file: Blob, contentType: string) => call<T>('PUT', path, file, contentType),
};

export interface FeederContents {
  originals: { name: string; pages: number }[];
  sheets: number;
  reload: boolean;
}

export type LineBehavior =
  | { behavior: 'answer' | 'busy' | 'no-answer' }
  | { behavior: 'drop-at-page'; page: number }
  | { behavior: 'slow'; bitRate: number };

export interface ReceivedFax {
  id: string;
  to: string;
  pages: number;
  status: string;
  receivedAt: string;
}

export interface FaultState {
  faults: string[];
  available?: string[];
}

export interface DeviceLoginState {
  signedIn: boolean;
  user: { name: string; email: string } | null;
  since: string | null;
  users: { name: string; email: string; card: string; pin: string }[];
}

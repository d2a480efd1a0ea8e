/** The gateway's HTTP API, same origin, every call with the admin key as a Bearer token. */
import { storedKey } from './session';

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly issues?: readonly ApiConfigIssue[];
  readonly errors?: readonly { path: string; message: string }[];
  readonly [extra: string]: unknown;
}

export interface ApiConfigIssue {
  readonly code: string;
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
  ) {
    super(message);
  }

  /** The route does not exist on this gateway (as opposed to a missing resource behind it). */
  get routeMissing(): boolean {
    return this.status === 404 && (this.problem?.detail ?? '').startsWith('no route ');
  }
}

/** Called when the gateway refuses the key (401), to send the user back to sign-in. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Record<string, string | undefined>;
  /** Use this key instead of the stored one (sign-in checks a key before storing it). */
  readonly key?: string;
  readonly signal?: AbortSignal;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const key = options.key ?? storedKey();
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') query.set(k, v);
  const url = query.size > 0 ? `${path}?${query}` : path;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, null, 'the gateway cannot be reached');
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? (data as Problem) : null;
    if (response.status === 401 && !options.key) onUnauthorized();
    const message = problem?.detail ?? problem?.title ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, problem, message);
  }
  return data as T;
}

/** A short sentence for an error, for an alert. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.routeMissing) return `this gateway does not offer ${err.problem?.detail?.slice(9) ?? 'it'} yet`;
    return err.problem?.code ? `${err.message} (${err.problem.code})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

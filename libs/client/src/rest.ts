import type { HistoryPage, Room, RoomStats, User } from '@app/contracts';
import { ChatClientError, isErrorCode } from './errors';

/** The part of `fetch` the SDK uses; the global `fetch` of browsers and Node 20 fits, a unit test passes a stub. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; json(): Promise<unknown> }>;

/** `GET /api/rooms/:id/messages`: `before` and `after` exclude each other (PROTOCOL.md). */
export type HistoryQuery = { limit?: number } & ({ before?: number; after?: never } | { after?: number; before?: never });

const REQUEST_TIMEOUT_MS = 15_000;

/** `POST /api/auth/login` (PROTOCOL.md "Identity"): no password; the same name is always the same user. */
export async function login(url: string, username: string, options: { fetch?: FetchLike } = {}): Promise<{ token: string; user: User }> {
  return requestJson<{ token: string; user: User }>(options.fetch ?? globalFetch(), `${trimSlash(url)}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
}

/** The REST side of the public protocol, with the user's token. */
export class RestApi {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly fetch: FetchLike = globalFetch(),
  ) {}

  history(roomId: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    const params = new URLSearchParams();
    for (const key of ['limit', 'before', 'after'] as const) {
      const value = query[key];
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return this.get<HistoryPage>(`/api/rooms/${encodeURIComponent(roomId)}/messages${search ? `?${search}` : ''}`);
  }

  rooms(): Promise<{ rooms: Room[] }> {
    return this.get('/api/rooms');
  }

  room(roomId: string): Promise<{ room: Room & RoomStats }> {
    return this.get(`/api/rooms/${encodeURIComponent(roomId)}`);
  }

  private get<T>(path: string): Promise<T> {
    return requestJson<T>(this.fetch, `${trimSlash(this.url)}${path}`, { method: 'GET', headers: { authorization: `Bearer ${this.token}` } });
  }
}

/**
 * One JSON request. Every failure becomes a ChatClientError with a PROTOCOL.md code: the body's
 * `{error: {code, message}}` (every error answer of the REST edge has one), `Retry-After` as
 * retryAfterMs, `unavailable` when the network failed (retry later), `timeout` when nothing came.
 */
async function requestJson<T>(fetch: FetchLike, url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<T> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    const name = (error as { name?: unknown } | undefined)?.name;
    if (name === 'TimeoutError') throw new ChatClientError('timeout', `${init.method} ${url}: no answer within ${REQUEST_TIMEOUT_MS} ms`);
    throw new ChatClientError('unavailable', `${init.method} ${url}: ${(error as Error)?.message ?? 'network error'}`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 200) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown } } | undefined)?.error;
  const retryAfterMs = typeof error?.retryAfterMs === 'number' ? error.retryAfterMs : retryAfterHeader(response.headers.get('retry-after'));
  const code = isErrorCode(error?.code) ? error.code : codeOfStatus(response.status);
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
  throw new ChatClientError(code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
}

/** Retry-After in seconds (what the api and Nginx send); an HTTP date is not used here. */
function retryAfterHeader(value: string | null): number | undefined {
  const seconds = value === null ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Only for an answer without a JSON error body (PROTOCOL.md says there is none; a proxy in between may differ). */
function codeOfStatus(status: number): ChatClientError['code'] {
  const codes: Record<number, ChatClientError['code']> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'room_full', 413: 'too_large', 429: 'rate_limited', 500: 'internal' };
  // 502, 503, 504: a proxy found nothing behind it, which passes like any unavailable dependency.
  return codes[status] ?? (status >= 500 ? 'unavailable' : 'bad_request');
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** Looked up when used, not at import, so a page can load the SDK before a fetch polyfill. */
function globalFetch(): FetchLike {
  return (url, init) => globalThis.fetch(url, init);
}

import { LIMITS, type ChatMessage } from '@app/contracts';
import type { BackoffOptions } from './backoff';
import { callWithRetry } from './call-retry';
import type { Connection } from './connection';
import { ChatClientError, isTransient } from './errors';

export interface SendOptions {
  /**
   * Reuse the id of an earlier send whose outcome is unknown (a `timeout` error carries it): within
   * the server's retry window (RETRY_WINDOW_MINUTES, default 5) it answers with the original
   * message instead of storing a second one. By default a new UUID.
   */
  clientMsgId?: string;
  /** Overall deadline of this send, retries included. Default: the client's `sendDeadlineMs`. */
  deadlineMs?: number;
}

export interface SendSettings {
  deadlineMs: number;
  answerTimeoutMs: number;
  backoff: BackoffOptions;
}

/**
 * `message:send`, exactly once (PROTOCOL.md): one clientMsgId for every attempt, so a resend after
 * `unavailable`, after no answer in time or after a reconnect (once the room is re-joined on the
 * new connection: before, the server would answer `forbidden`) is answered with the original
 * message, never stored twice. `rate_limited` waits its retryAfterMs. Anything else is final.
 */
export function sendWithRetry(
  connection: Connection,
  roomJoined: (roomId: string, deadline: number) => Promise<unknown>,
  roomId: string,
  text: string,
  settings: SendSettings,
  options: SendOptions = {},
): Promise<ChatMessage> {
  const clientMsgId = options.clientMsgId ?? newClientMsgId();
  // Refused here exactly as the server would (trimmed text), with no round trip and no retries.
  const trimmed = text.trim();
  if (trimmed.length === 0) return Promise.reject(new ChatClientError('bad_request', 'text must not be empty', { clientMsgId }));
  if (trimmed.length > LIMITS.textMax) return Promise.reject(new ChatClientError('too_large', `text is longer than ${LIMITS.textMax} characters`, { clientMsgId }));
  return callWithRetry(connection, 'message:send', { roomId, text, clientMsgId }, {
    deadline: Date.now() + (options.deadlineMs ?? settings.deadlineMs),
    answerTimeoutMs: settings.answerTimeoutMs,
    backoff: settings.backoff,
    retryOn: (code) => isTransient(code as ChatClientError['code']),
    repeatUnanswered: true,
    ready: (deadline) => roomJoined(roomId, deadline),
    details: { clientMsgId },
  }).then((answer) => answer.message);
}

/**
 * A v4 UUID. `crypto.randomUUID` exists in Node 20 and in browsers on secure pages (https,
 * localhost); on a plain-http page only `getRandomValues` does, so the UUID is built from it.
 */
export function newClientMsgId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@app/contracts';

/**
 * What an SDK call can fail with: a PROTOCOL.md code the server answered (or that the SDK
 * determined the same way, e.g. `forbidden` for a send to a room it has not joined), or one of
 * two the SDK adds because no server answer exists:
 * - `timeout`: no final answer before the call's deadline (or, for a call that is not safe to
 *   repeat, before the connection dropped): the outcome is unknown. For a send, resend with the
 *   same `clientMsgId` (on the error) to find out: the retry window answers with the original.
 * - `closed`: the client was closed by `close()` or by the server (an admin kick). A handshake the
 *   server refused closes the client with the refusal's code instead: `unauthorized` or `forbidden`.
 */
export type ClientErrorCode = ErrorCode | 'timeout' | 'closed';

export class ChatClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number; clientMsgId?: string; cause?: ChatClientError } = {},
  ) {
    super(message);
    this.name = 'ChatClientError';
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }

  static fromBody(body: ErrorBody): ChatClientError {
    return new ChatClientError(isErrorCode(body.code) ? body.code : 'internal', body.message, { retryAfterMs: body.retryAfterMs });
  }
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Answers after which the same request may succeed later: `unavailable` (a dependency is down or
 * slow) and `rate_limited` (refused before the handler ran; the window ends at retryAfterMs).
 * Whether repeating is also *safe* is the caller's policy: a send is (its clientMsgId makes it
 * exactly once), a `room:create` after `unavailable` is not (the room may have been stored).
 */
export function isTransient(code: ClientErrorCode): boolean {
  return code === 'unavailable' || code === 'rate_limited';
}

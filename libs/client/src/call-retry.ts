import type { ClientEventName } from '@app/contracts';
import { retryDelay, sleep, type BackoffOptions } from './backoff';
import type { Connection } from './connection';
import { ChatClientError } from './errors';
import type { EventAnswer, EventPayload } from './transport';

export type OkAnswer<E extends ClientEventName> = Extract<EventAnswer<E>, { ok: true }>;

export interface RetryPolicy {
  /** Epoch ms after which the call fails with `timeout`. */
  deadline: number;
  /** How long one attempt waits for its answer. */
  answerTimeoutMs: number;
  backoff: BackoffOptions;
  /** Error codes after which the same payload is sent again (after retryAfterMs or backoff). */
  retryOn: (code: string) => boolean;
  /**
   * Whether to send again when an attempt got no answer (none in time, or the connection dropped
   * first). Only for calls a repeat cannot do twice: a send (its clientMsgId), a join, a list.
   */
  repeatUnanswered: boolean;
  /** Resolves once the call can go out (connected; for a send, the room re-joined on this connection). */
  ready: (deadline: number) => Promise<unknown>;
  /** Adds what a final error should carry (a send's clientMsgId). */
  details?: { clientMsgId?: string };
}

/**
 * An acknowledged call, repeated with the same payload until it is answered ok, answered with a
 * final error, or the deadline passes. Waits between attempts as the server says (retryAfterMs)
 * or with backoff, never past the deadline.
 */
export async function callWithRetry<E extends ClientEventName>(connection: Connection, event: E, payload: EventPayload<E>, policy: RetryPolicy): Promise<OkAnswer<E>> {
  let lastError: ChatClientError | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      await policy.ready(policy.deadline);
    } catch (error) {
      // Not ready before the deadline (still reconnecting), closed, or the room is gone.
      throw error instanceof ChatClientError ? withDetails(error, { ...policy.details, ...(lastError && !error.details.cause ? { cause: lastError } : {}) }) : error;
    }
    const left = policy.deadline - Date.now();
    const outcome = await connection.call(event, payload, Math.max(1, Math.min(policy.answerTimeoutMs, left)));
    let retryAfterMs: number | undefined;
    if (outcome.kind === 'answer') {
      if (outcome.answer.ok) return outcome.answer as OkAnswer<E>;
      const error = ChatClientError.fromBody(outcome.answer.error);
      if (!policy.retryOn(error.code)) throw withDetails(error, policy.details);
      lastError = error;
      retryAfterMs = error.retryAfterMs;
    } else if (!policy.repeatUnanswered) {
      throw new ChatClientError('timeout', `${event}: ${outcome.kind === 'cut' ? 'the connection dropped' : 'no answer'} before the answer; it may have been done`, { ...policy.details });
    } else {
      lastError = new ChatClientError('timeout', `${event}: ${outcome.kind === 'cut' ? 'connection lost' : 'no answer'} (attempt ${attempt + 1})`);
      // A cut is retried as soon as ready() allows (after the reconnect); silence waits a little.
      if (outcome.kind === 'cut') continue;
    }
    const wait = retryDelay(attempt, retryAfterMs, policy.backoff);
    if (Date.now() + wait >= policy.deadline) {
      throw new ChatClientError('timeout', `${event}: not answered ok before the deadline (last: ${lastError.code} ${lastError.message})`, { ...policy.details, cause: lastError });
    }
    await sleep(wait);
  }
}

function withDetails(error: ChatClientError, details: ChatClientError['details'] | undefined): ChatClientError {
  return details && Object.keys(details).length > 0 ? new ChatClientError(error.code, error.message, { ...error.details, ...details }) : error;
}

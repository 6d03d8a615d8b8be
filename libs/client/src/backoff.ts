/** How long to wait before the n-th retry of a request (the server's retryAfterMs comes first). */
export interface BackoffOptions {
  /** Wait before the first retry. Default 200 ms. */
  initialMs?: number;
  /** Largest wait the SDK chooses itself (a longer retryAfterMs is still honoured). Default 5000 ms. */
  maxMs?: number;
  /** Random share taken off each wait, 0..1, so clients cut off together do not retry together. Default 0.5. */
  jitter?: number;
  /** For tests: a source of randomness in [0, 1). */
  random?: () => number;
}

/**
 * Exponential backoff that honours the server: never earlier than `retryAfterMs` (a rate limit's
 * window ends then; an `unavailable` says when a retry makes sense), and growing with each failure
 * so a dependency that stays down is not hammered.
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions = {}): number {
  const { initialMs = 200, maxMs = 5_000, jitter = 0.5, random = Math.random } = options;
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  const chosen = exponential * (1 - jitter * random());
  return Math.max(retryAfterMs ?? 0, Math.round(chosen));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

import { RateLimiterRes } from 'rate-limiter-flexible';
import { ChatError } from '@app/contracts';
import { callDependency } from '@app/resilience';

/** What rate-limiter-flexible's limiters do: resolve when the point fits, reject a RateLimiterRes when it does not. */
export interface PointCounter {
  consume(key: string): Promise<RateLimiterRes>;
}

/** Observes each decision that is not a plain "yes, from Redis" (for metrics); never throws. */
export interface RateLimitObserver {
  refused(limit: string): void;
  countedLocally(limit: string): void;
}

export interface RateLimitOptions {
  /** Names the limit in logs, metrics and Redis keys ("login", "roomCreate"...). */
  readonly name: string;
  /** What is counted, for the client's message: "logins from this address". */
  readonly what: string;
  /** The longest wait for Redis before this replica decides from its own count. */
  readonly timeoutMs: number;
}

type Verdict = { allowed: true } | { allowed: false; msBeforeNext: number };

const verdictOf = (counting: Promise<RateLimiterRes>): Promise<Verdict> =>
  counting.then(
    () => ({ allowed: true }),
    (refusal: unknown) => {
      if (refusal instanceof RateLimiterRes) return { allowed: false, msBeforeNext: refusal.msBeforeNext };
      throw refusal;
    },
  );

/**
 * One rate limit for all replicas: each request is counted in Redis (`shared`), so a user or an
 * address has one budget wherever Nginx sends it. Rate limiting must never cost an answer: when
 * Redis fails or does not answer within `timeoutMs`, this replica decides from its own in-memory
 * count (`local`, the insurance limiter) and the request goes on. During a Redis outage a client
 * can so get up to (replicas × the limit), but a flood or a password guesser is still stopped on
 * each replica, which letting everything through would not do.
 */
export class RateLimit {
  constructor(
    private readonly shared: PointCounter,
    private readonly local: PointCounter,
    private readonly options: RateLimitOptions,
    private readonly observer?: RateLimitObserver,
  ) {}

  /** Counts one request of `subject`; over the limit, throws `rate_limited` with how long to wait. */
  async take(subject: string): Promise<void> {
    const verdict = await this.count(subject);
    if (verdict.allowed) return;
    this.observer?.refused(this.options.name);
    throw rateLimitedError(this.options.what, verdict.msBeforeNext);
  }

  private async count(subject: string): Promise<Verdict> {
    try {
      return await callDependency('redis', () => verdictOf(this.shared.consume(subject)), {
        timeoutMs: this.options.timeoutMs,
        what: `rate limit ${this.options.name}`,
      });
    } catch {
      this.observer?.countedLocally(this.options.name);
      // The in-memory count cannot fail; should it ever, the request goes on (fail open).
      return verdictOf(this.local.consume(subject)).catch((): Verdict => ({ allowed: true }));
    }
  }
}

/**
 * The answer to a request over a limit: `retryAfterMs` is when the window ends (whole ms, at least
 * 1), which the REST edge also sends as `Retry-After` in seconds rounded up.
 */
export function rateLimitedError(what: string, msBeforeNext: number): ChatError {
  const retryAfterMs = Math.max(1, Math.ceil(msBeforeNext));
  return new ChatError('rate_limited', `too many ${what}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs);
}

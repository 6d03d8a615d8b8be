import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig, type RateLimitName } from '@app/config';
import { ChatMetrics } from '@app/observability';
import { REDIS, RedisKeys } from '@app/redis';
import { RateLimit } from './rate-limit';
import { RATE_LIMIT_RULES, type RateLimitSubject } from './rate-limit-rules';
import { subjectKey } from './subject-key';

/**
 * The configured rate limits of this process, by name (a limit set to off has none). The edges
 * (the api's RateLimitGuard, the gateway's RateLimitInterceptor) say which limits a request is
 * counted against and who sent it; this counts it.
 */
@Injectable()
export class RateLimits {
  private readonly limits = new Map<RateLimitName, RateLimit>();

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig, metrics: ChatMetrics) {
    const observer = {
      refused: (limit: string) => metrics.rateLimited.inc({ limit }),
      countedLocally: (limit: string) => metrics.rateLimitLocal.inc({ limit }),
    };
    for (const [name, rule] of Object.entries(config.rateLimits.rules) as [RateLimitName, AppConfig['rateLimits']['rules'][RateLimitName]][]) {
      if (!rule) continue;
      const window = { points: rule.points, duration: rule.durationSeconds, keyPrefix: RedisKeys.rateLimit(name) };
      const shared = new RateLimiterRedis({
        ...window,
        storeClient: redis,
        // Redis disconnected: answer from memory at once instead of queueing the command until the timeout.
        rejectIfRedisNotReady: true,
        // Once a subject is over the limit, this replica refuses it from memory until the window ends:
        // a flood (typing, password guessing) costs no Redis round trip per refused request.
        inMemoryBlockOnConsumed: rule.points,
      });
      const local = new RateLimiterMemory(window);
      const options = { name, what: RATE_LIMIT_RULES[name].what, timeoutMs: config.rateLimits.redisTimeoutMs };
      this.limits.set(name, new RateLimit(shared, local, options, observer));
    }
  }

  /** Whom `name` counts. */
  subjectOf(name: RateLimitName): RateLimitSubject {
    return RATE_LIMIT_RULES[name].subject;
  }

  /**
   * Counts one request of `subject` (an address, a user id or a username, per subjectOf) against
   * `name`; over the limit it throws `rate_limited` with retryAfterMs. Nothing when the limit is off.
   */
  take(name: RateLimitName, subject: string): Promise<void> {
    const limit = this.limits.get(name);
    return limit ? limit.take(subjectKey(this.subjectOf(name), subject)) : Promise.resolve();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from './redis-keys';
import { REDIS } from './redis.tokens';

/**
 * Users an admin banned for a while (PROTOCOL.md "Admin"): refused at login and at the
 * handshake until the ban expires. A ban is a key with the ban's TTL, so it lifts itself.
 */
@Injectable()
export class UserBans {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Bans the user for `seconds`; answers when the ban ends. */
  async ban(userId: string, seconds: number): Promise<Date> {
    const until = new Date(Date.now() + seconds * 1000);
    await this.redis.set(RedisKeys.ban(userId), until.toISOString(), 'EX', seconds);
    return until;
  }

  /** Whether a ban was lifted (false: there was none). */
  async lift(userId: string): Promise<boolean> {
    return (await this.redis.del(RedisKeys.ban(userId))) > 0;
  }

  /** When the user's ban ends, or null when they are not banned. */
  async bannedUntil(userId: string): Promise<Date | null> {
    const value = await this.redis.get(RedisKeys.ban(userId));
    return value === null ? null : new Date(value);
  }
}

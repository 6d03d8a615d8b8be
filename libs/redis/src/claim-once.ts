import type { Redis } from 'ioredis';

/**
 * Whether this caller is the first to claim `key` within `ttlMs` (SET NX PX): how replicas agree
 * on who does a one-off job (announce a rename, sweep rooms) without a lock service. The claim
 * frees itself after the TTL, so a claimant that dies does not block the job forever.
 */
export async function claimOnce(redis: Redis, key: string, ttlMs: number, owner = '1'): Promise<boolean> {
  return (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
}

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ChatError, type ChatMessage } from '@app/contracts';
import { claimOnce, REDIS, RedisKeys } from '@app/redis';
import { callDependency } from '@app/resilience';

export type Claim = { kind: 'new' } | { kind: 'done'; message: ChatMessage } | { kind: 'pending' };

/** How long a finished send is remembered for retries. */
const DONE_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim whose gateway died before producing frees itself after this. */
const PENDING_TTL_MS = 15_000;
const PENDING = 'pending';

/**
 * Makes `message:send` idempotent per (room, clientMsgId) across all replicas: the first send
 * claims the key, produces, and stores the resulting message; a retry (also on another replica,
 * after the first ack was lost with its connection) gets the stored message back and produces
 * nothing. The persister's unique (roomId, clientMsgId) index backs this up in history.
 */
@Injectable()
export class SendDedup {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async claim(roomId: string, clientMsgId: string): Promise<Claim> {
    const key = this.key(roomId, clientMsgId);
    if (await callDependency('redis', () => claimOnce(this.redis, key, PENDING_TTL_MS, PENDING), { what: 'claiming a send' })) return { kind: 'new' };
    const value = await callDependency('redis', () => this.redis.get(key), { what: 'reading a send claim' });
    if (value === null) return this.claim(roomId, clientMsgId); // expired between the two calls
    return value === PENDING ? { kind: 'pending' } : { kind: 'done', message: JSON.parse(value) as ChatMessage };
  }

  /** Waits for the first attempt of a send that is still in flight (bounded). */
  async waitForDone(roomId: string, clientMsgId: string, timeoutMs = PENDING_TTL_MS): Promise<ChatMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const claim = await this.claim(roomId, clientMsgId);
      if (claim.kind === 'done') return claim.message;
      if (claim.kind === 'new') {
        // The first attempt failed and released its claim; this retry now owns it. Give it back
        // and ask the client to retry, so exactly one attempt produces.
        await this.release(roomId, clientMsgId);
        break;
      }
    }
    throw new ChatError('unavailable', 'an earlier attempt of this message is still in flight; retry', 500);
  }

  async complete(message: ChatMessage): Promise<void> {
    await callDependency('redis', () => this.redis.set(this.key(message.roomId, message.clientMsgId), JSON.stringify(message), 'PX', DONE_TTL_MS), {
      what: 'recording a sent message',
    });
  }

  async release(roomId: string, clientMsgId: string): Promise<void> {
    await callDependency('redis', () => this.redis.del(this.key(roomId, clientMsgId)), { what: 'releasing a send claim' }).catch(() => undefined);
  }

  private key(roomId: string, clientMsgId: string): string {
    return RedisKeys.sendClaim(roomId, clientMsgId);
  }
}

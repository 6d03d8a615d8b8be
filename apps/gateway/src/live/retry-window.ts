import type { ChatMessage } from '@app/contracts';

/**
 * Records of one send may reach Kafka more than once: a retry after a lost ack, on any replica,
 * or after a produce that timed out but was written (guarantee 3). Records of one room share a
 * partition, so every reader sees them in one order, and the rule below, applied by every
 * gateway to the same log, gives every gateway the same answer without asking anyone:
 *
 *   a record is a repeat when an earlier record of the same (roomId, clientMsgId) has a
 *   timestamp at most `windowMs` older than its own.
 *
 * A repeat is never delivered, and every ack of the send (first or retry) answers the first
 * record, which is also the one history keeps (the persister's unique (roomId, clientMsgId) index
 * keeps the first insert). Only the first record of each send within the window is held.
 */
export class RetryWindow {
  /** Map order is arrival order, close to timestamp order, which makes eviction a walk from the front. */
  private readonly firsts = new Map<string, { message: ChatMessage; at: number }>();
  private newest = 0;

  /**
   * @param windowMs how long a send is remembered for its retries.
   * @param slackMs how much older than the newest record seen a record may still be judged
   *   exactly (its producer retried for a while, or its clock lags): entries are kept this much
   *   longer than the window.
   */
  constructor(
    readonly windowMs: number,
    readonly slackMs = 60_000,
  ) {}

  get size(): number {
    return this.firsts.size;
  }

  /** Judges one record read from the log: returns the first record if this one repeats it. */
  remember(message: ChatMessage, at: number): ChatMessage | undefined {
    const key = keyOf(message.roomId, message.clientMsgId);
    const first = this.firsts.get(key);
    if (first && first.at >= at - this.windowMs) return first.message;
    if (first) this.firsts.delete(key); // outside the window: this record starts a new send
    this.firsts.set(key, { message, at });
    if (at > this.newest) {
      this.newest = at;
      this.evict();
    }
    return undefined;
  }

  /** The first record of a send, if one was read within the window before `now`. */
  firstOf(roomId: string, clientMsgId: string, now: number): ChatMessage | undefined {
    const first = this.firsts.get(keyOf(roomId, clientMsgId));
    return first && first.at >= now - this.windowMs ? first.message : undefined;
  }

  private evict(): void {
    const oldest = this.newest - this.windowMs - this.slackMs;
    for (const [key, entry] of this.firsts) {
      if (entry.at >= oldest) break;
      this.firsts.delete(key);
    }
  }
}

const keyOf = (roomId: string, clientMsgId: string): string => `${roomId}\u0000${clientMsgId}`;

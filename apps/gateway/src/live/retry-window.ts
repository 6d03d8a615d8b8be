import { ChatError, type ChatMessage, type User } from '@app/contracts';

/**
 * What the window keeps of a send's first record: what a retry's answer needs besides what the
 * retry itself carries (room, clientMsgId, text), and a digest of the text to tell a retry from
 * a different message that reuses the id. About a third of a whole message (README: memory).
 */
export interface FirstRecord {
  readonly id: string;
  readonly seq: number;
  readonly userId: string;
  readonly username: string;
  readonly sentAt: string;
  readonly textDigest: number;
  /** The record's timestamp (ms). */
  readonly at: number;
}

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
  private readonly firsts = new Map<string, FirstRecord>();
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

  /** Judges one record read from the log: true when it repeats an earlier record of its send. */
  remember(message: ChatMessage, at: number): boolean {
    const key = sendKey(message.roomId, message.clientMsgId);
    const first = this.firsts.get(key);
    if (first && first.at >= at - this.windowMs) return true;
    if (first) this.firsts.delete(key); // outside the window: this record starts a new send
    const { id, seq, user, sentAt, text } = message;
    this.firsts.set(key, { id, seq, userId: user.id, username: user.username, sentAt, textDigest: digest(text), at });
    if (at > this.newest) {
      this.newest = at;
      this.evict();
    }
    return false;
  }

  /** The first record of a send, if one was read within the window before `now`. */
  firstOf(roomId: string, clientMsgId: string, now: number): FirstRecord | undefined {
    const first = this.firsts.get(sendKey(roomId, clientMsgId));
    return first && first.at >= now - this.windowMs ? first : undefined;
  }

  private evict(): void {
    const oldest = this.newest - this.windowMs - this.slackMs;
    for (const [key, entry] of this.firsts) {
      if (entry.at >= oldest) break;
      this.firsts.delete(key);
    }
  }
}

/**
 * The answer to a send whose first record is `first`: the message as history holds it. A
 * clientMsgId names one message of one sender; another user's send with it, or the same user's
 * with another text, is not a retry and is refused.
 */
export function retryAnswer(first: FirstRecord, send: { roomId: string; clientMsgId: string; text: string }, sender: User): ChatMessage {
  if (first.userId !== sender.id) throw new ChatError('bad_request', 'clientMsgId was already used by another sender');
  if (first.textDigest !== digest(send.text)) throw new ChatError('bad_request', 'clientMsgId was already used for another text');
  const { id, seq, userId, username, sentAt } = first;
  return { id, roomId: send.roomId, seq, clientMsgId: send.clientMsgId, user: { id: userId, username }, text: send.text, sentAt };
}

/** One send's key: a clientMsgId is unique within its room. */
export const sendKey = (roomId: string, clientMsgId: string): string => `${roomId}\u0000${clientMsgId}`;

/**
 * FNV-1a over the UTF-16 code units, 30 bits (a small integer in V8: no heap number per send):
 * tells a retry's text from another; not a security boundary.
 */
function digest(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash & 0x3fffffff;
}

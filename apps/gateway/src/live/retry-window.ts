import { ChatError, type ChatMessage, type User } from '@app/contracts';

/**
 * What the window keeps of a send's first record: what a retry's answer needs besides what the
 * retry itself carries (room, clientMsgId, text), and a digest of the text to tell a retry from
 * a different message that reuses the id (README: memory).
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
  /** Each send's key → its position in `sends`. */
  private readonly positions = new Map<string, number>();
  /** The first records, in arrival order (close to timestamp order: eviction walks from the front). */
  private readonly sends = new SendColumns();
  /** One string per user id and name, shared by their sends (an optimization only: cleared when large). */
  private readonly names = new Map<string, string>();
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
    return this.positions.size;
  }

  /** Judges one record read from the log: true when it repeats an earlier record of its send. */
  remember(message: ChatMessage, at: number): boolean {
    const key = sendKey(message.roomId, message.clientMsgId);
    const position = this.positions.get(key);
    if (position !== undefined && this.sends.at(position) >= at - this.windowMs) return true;
    // A send outside the window starts again: its key now names the new position (the old one is
    // left to eviction, which checks the key still names it).
    const { id, seq, user, sentAt, text } = message;
    this.positions.set(key, this.sends.push(key, { id, seq, userId: this.name(user.id), username: this.name(user.username), sentAt, textDigest: digest(text), at }));
    if (at > this.newest) {
      this.newest = at;
      this.evict();
    }
    return false;
  }

  /** The first record of a send, if one was read within the window before `now`. */
  firstOf(roomId: string, clientMsgId: string, now: number): FirstRecord | undefined {
    const position = this.positions.get(sendKey(roomId, clientMsgId));
    if (position === undefined || this.sends.at(position) < now - this.windowMs) return undefined;
    return this.sends.get(position);
  }

  private evict(): void {
    const oldest = this.newest - this.windowMs - this.slackMs;
    while (this.sends.length > 0 && this.sends.at(this.sends.head) < oldest) {
      const key = this.sends.shift();
      if (this.positions.get(key) === this.sends.head - 1) this.positions.delete(key);
    }
  }

  private name(value: string): string {
    const shared = this.names.get(value);
    if (shared !== undefined) return shared;
    if (this.names.size >= MAX_SHARED_NAMES) this.names.clear();
    this.names.set(value, value);
    return value;
  }
}

const MAX_SHARED_NAMES = 100_000;
const CHUNK = 4096;

/**
 * A queue of first records kept as columns, in chunks of 4,096: typed arrays for the numbers and
 * arrays of shared strings, so a send costs ~150 bytes and two strings of its own (its key and
 * id) instead of six objects. At 1,000 sends/s a gateway holds 6 minutes of them (window +
 * slack): 360,000, which took ~420 bytes each, and every one was marked by each full GC.
 */
class SendColumns {
  private readonly chunks: Chunk[] = [];
  /** Position of chunks[0]'s first slot. */
  private base = 0;
  /** Position of the oldest send held, and one past the newest. */
  head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(key: string, first: FirstRecord): number {
    const position = this.tail++;
    const index = position - this.base;
    if (index % CHUNK === 0 && index / CHUNK === this.chunks.length) this.chunks.push(new Chunk());
    this.chunks[Math.floor(index / CHUNK)]!.set(index % CHUNK, key, first);
    return position;
  }

  /** The oldest send's key; it is no longer held. */
  shift(): string {
    const { chunk, index } = this.slot(this.head);
    const key = chunk.keys[index]!;
    this.head++;
    if (this.head - this.base === CHUNK) {
      this.chunks.shift();
      this.base += CHUNK;
    }
    return key;
  }

  at(position: number): number {
    const { chunk, index } = this.slot(position);
    return chunk.ats[index]!;
  }

  get(position: number): FirstRecord {
    const { chunk, index } = this.slot(position);
    return chunk.get(index);
  }

  private slot(position: number): { chunk: Chunk; index: number } {
    const offset = position - this.base;
    return { chunk: this.chunks[Math.floor(offset / CHUNK)]!, index: offset % CHUNK };
  }
}

class Chunk {
  readonly keys: string[] = [];
  private readonly ids: string[] = [];
  private readonly userIds: string[] = [];
  private readonly usernames: string[] = [];
  private readonly seqs = new Float64Array(CHUNK);
  readonly ats = new Float64Array(CHUNK);
  /** sentAt as ms when `new Date(ms).toISOString()` gives it back (the gateways' own format), else NaN and the string in `otherSentAts`. */
  private readonly sentAtMs = new Float64Array(CHUNK);
  private readonly otherSentAts = new Map<number, string>();
  private readonly digests = new Int32Array(CHUNK);

  set(index: number, key: string, first: FirstRecord): void {
    this.keys[index] = key;
    this.ids[index] = first.id;
    this.userIds[index] = first.userId;
    this.usernames[index] = first.username;
    this.seqs[index] = first.seq;
    this.ats[index] = first.at;
    this.digests[index] = first.textDigest;
    const ms = Date.parse(first.sentAt);
    if (Number.isFinite(ms) && new Date(ms).toISOString() === first.sentAt) this.sentAtMs[index] = ms;
    else {
      this.sentAtMs[index] = NaN;
      this.otherSentAts.set(index, first.sentAt);
    }
  }

  get(index: number): FirstRecord {
    const ms = this.sentAtMs[index]!;
    return {
      id: this.ids[index]!,
      seq: this.seqs[index]!,
      userId: this.userIds[index]!,
      username: this.usernames[index]!,
      sentAt: Number.isNaN(ms) ? this.otherSentAts.get(index)! : new Date(ms).toISOString(),
      textDigest: this.digests[index]!,
      at: this.ats[index]!,
    };
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

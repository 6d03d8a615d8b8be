import { countUpToSeq, type ChatMessage } from '@app/contracts';

export interface RoomTailLimits {
  /** Messages kept per room (its newest). */
  perRoom: number;
  /** Messages kept over all rooms; the least recently joined rooms are dropped first. */
  total: number;
}

export interface TailPage {
  messages: ChatMessage[];
  hasMore: boolean;
}

interface Tail {
  /** The room's messages this replica holds, in seq order. */
  messages: ChatMessage[];
  /** Every message of the room with completeFrom ≤ seq ≤ (what the live stream handled) is held. */
  completeFrom: number;
  /** Whether the held messages reach the position of a join (warmed from history); until then, unusable. */
  warm: boolean;
}

/**
 * Each joined room's newest messages, kept by this replica so that joins (and rejoins with
 * `since`) are answered from memory, without waiting for the persister or reading the store (as
 * Zulip and Slack keep message caches). A room is tracked from its first join here: from then on
 * the live stream appends every message of it; the first join fills the part before (`warm`)
 * from history. What is held is always a complete run of the room's messages (`completeFrom` up
 * to the live position), so an answer from here is exactly what history would answer; anything
 * outside the run returns `undefined` and the caller reads history. The cache can be dropped at
 * any moment (a restart, eviction) without a wrong answer.
 */
export class RoomTails {
  /** Map order is recency: a room is moved to the end when it is joined. */
  private readonly tails = new Map<string, Tail>();
  private held = 0;

  constructor(private readonly limits: RoomTailLimits) {}

  get size(): { rooms: number; messages: number } {
    return { rooms: this.tails.size, messages: this.held };
  }

  /**
   * Starts holding a room's live messages from `nextSeq` (the first seq the live stream has not
   * handled yet). Must be called synchronously with reading that position, like JoinBuffer.
   */
  track(roomId: string, nextSeq: number): void {
    const tail = this.tails.get(roomId);
    this.tails.delete(roomId);
    this.tails.set(roomId, tail ?? { messages: [], completeFrom: nextSeq, warm: false });
  }

  /** The live stream delivered a message (each room's in seq order; repeats of a send never come: RetryWindow). */
  append(message: ChatMessage): void {
    const tail = this.tails.get(message.roomId);
    if (!tail) return;
    const last = tail.messages.at(-1);
    if (last && message.seq <= last.seq) return;
    tail.messages.push(message);
    this.held++;
    if (tail.messages.length > this.limits.perRoom) this.dropOldest(tail, tail.messages.length - this.limits.perRoom);
    this.evictRooms();
  }

  /**
   * Adds history read up to `untilSeq`: `messages` are all of the room's messages with
   * `from` ≤ seq ≤ untilSeq (1 when there are none before them). Ignored when it would not join up
   * with what is held (a gap), so the run stays complete.
   */
  warm(roomId: string, messages: ChatMessage[], untilSeq: number, from: number): void {
    const tail = this.tails.get(roomId);
    if (!tail || untilSeq + 1 < tail.completeFrom) return;
    const older = messages.filter((m) => m.seq < tail.completeFrom && m.seq <= untilSeq);
    if (from >= tail.completeFrom && tail.warm) return;
    tail.messages = [...older, ...tail.messages];
    this.held += older.length;
    tail.completeFrom = Math.min(tail.completeFrom, from);
    tail.warm = true;
    if (tail.messages.length > this.limits.perRoom) this.dropOldest(tail, tail.messages.length - this.limits.perRoom);
    this.evictRooms();
  }

  /** The newest `limit` messages with seq ≤ untilSeq, or undefined when not held. */
  newest(roomId: string, untilSeq: number, limit: number): TailPage | undefined {
    const tail = this.usable(roomId);
    if (!tail) return undefined;
    const end = countUpToSeq(tail.messages, untilSeq);
    const start = Math.max(0, end - limit);
    // Fewer held than asked while older ones exist (a run kept from a join's `since`): not held.
    if (end - start < limit && tail.completeFrom > 1) return undefined;
    // Older messages exist if more are held, or if the run does not reach the room's start.
    return { messages: tail.messages.slice(start, end), hasMore: start > 0 || tail.completeFrom > 1 };
  }

  /** The oldest `limit` messages with since < seq ≤ untilSeq, or undefined when not all are held. */
  after(roomId: string, since: number, untilSeq: number, limit: number): TailPage | undefined {
    const tail = this.usable(roomId);
    if (!tail || since + 1 < tail.completeFrom) return undefined;
    const start = countUpToSeq(tail.messages, since);
    const end = countUpToSeq(tail.messages, untilSeq);
    if (start >= end) return { messages: [], hasMore: false };
    return { messages: tail.messages.slice(start, Math.min(end, start + limit)), hasMore: end - start > limit };
  }

  /** Whether the room's newest messages are held (warmed from history): reading them again adds nothing. */
  isWarm(roomId: string): boolean {
    return this.usable(roomId) !== undefined;
  }

  forget(roomId: string): void {
    const tail = this.tails.get(roomId);
    if (!tail) return;
    this.held -= tail.messages.length;
    this.tails.delete(roomId);
  }

  private usable(roomId: string): Tail | undefined {
    const tail = this.tails.get(roomId);
    return tail?.warm ? tail : undefined;
  }

  private dropOldest(tail: Tail, count: number): void {
    // shift(), not splice(0, n): V8 drops an array's first element in place, where splice copies
    // the rest of the array and allocates one for what it removed (1.6 % of a saturated gateway:
    // a full room drops one message per append).
    let dropped: ChatMessage | undefined;
    for (let i = 0; i < count; i++) dropped = tail.messages.shift();
    this.held -= count;
    // The run now starts right after the newest dropped message.
    tail.completeFrom = dropped!.seq + 1;
  }

  private evictRooms(): void {
    // Checked before making an iterator: every append comes here.
    if (this.held <= this.limits.total) return;
    for (const roomId of this.tails.keys()) {
      if (this.held <= this.limits.total) return;
      this.forget(roomId);
    }
  }
}

import type { ChatMessage } from '@app/contracts';

/**
 * One room's messages, delivered exactly once and in `seq` order across reconnects, whichever
 * replica each connection reaches (DESIGN.md guarantee 4, the client's half).
 *
 * Where messages come from: a join answer and REST pages (`catch-up`), and the live stream of the
 * current connection (`live`). The server starts a connection's live stream right after the join
 * answer and leaves no gap or duplicate between the two; but when a re-join's answer says
 * `hasMore`, the rest of the gap is read over REST while live messages already arrive. Those are
 * held until the gap is filled, then delivered after it. Every message is checked against the last
 * delivered seq, so nothing is delivered twice or out of order, whichever source brings it first.
 */
export class RoomFeed {
  private last: number;
  /** Live messages that arrived during a catch-up (undefined while live), by seq. */
  private held: Map<number, ChatMessage> | undefined;

  constructor(
    readonly roomId: string,
    /** The seq of the last message delivered before (0: none; `since: 0` is the whole room). */
    lastSeq: number,
    private readonly deliver: (message: ChatMessage) => void,
  ) {
    this.last = lastSeq;
  }

  /** The `since` of the next re-join and the `after` of the next REST page. */
  get lastSeq(): number {
    return this.last;
  }

  get catchingUp(): boolean {
    return this.held !== undefined;
  }

  /** From now on live messages are held, not delivered, until release(). */
  hold(): void {
    this.held ??= new Map();
  }

  /** A live `message` of the current connection. */
  live(message: ChatMessage): void {
    if (message.seq <= this.last) return;
    if (this.held) this.held.set(message.seq, message);
    else this.deliverInOrder(message);
  }

  /**
   * A page of the catch-up (a join answer, then REST pages), oldest first. Returns whether the
   * gap may go on past this page: false once a page reaches the held live stream, which is
   * contiguous from its first message on, so the rest comes from it and paging can stop.
   */
  page(messages: readonly ChatMessage[]): boolean {
    const liveFrom = this.firstHeld();
    for (const message of [...messages].sort((a, b) => a.seq - b.seq)) {
      if (liveFrom !== undefined && message.seq >= liveFrom) return false;
      this.deliverInOrder(message);
    }
    return true;
  }

  /** The gap is filled: the held live messages follow, in seq order. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    for (const message of [...(held?.values() ?? [])].sort((a, b) => a.seq - b.seq)) this.deliverInOrder(message);
  }

  /**
   * The connection dropped during a catch-up. What was held is dropped too: all of it has a seq
   * above lastSeq, so the next re-join (`since: lastSeq`) brings it again, and delivering it now
   * would skip the part of the gap not read yet.
   */
  discard(): void {
    this.held = undefined;
  }

  private firstHeld(): number | undefined {
    let first: number | undefined;
    for (const seq of this.held?.keys() ?? []) if (first === undefined || seq < first) first = seq;
    return first;
  }

  private deliverInOrder(message: ChatMessage): void {
    if (message.seq <= this.last) return; // a duplicate, or older than what was delivered: never again
    this.last = message.seq;
    this.deliver(message);
  }
}

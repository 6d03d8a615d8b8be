import type { ChatMessage } from '@app/contracts';

/**
 * One room's messages as the page shows them: each seq once, in seq order. Messages come from
 * two sources that overlap at a seam: the SDK's per-room delivery (join, live, and the catch-up
 * after a reconnect: already once each and in order) and history pages read backwards with
 * `before` when the user scrolls up. Keying by seq makes the seam harmless.
 */
export class RoomTimeline {
  private readonly bySeq = new Map<number, ChatMessage>();
  private ordered: ChatMessage[] = [];
  /** Older messages exist on the server than the oldest held here (unknown until the join answers: assume so). */
  hasOlder = true;
  loadingOlder = false;

  constructor(readonly roomId: string) {}

  /** Adds messages; returns the ones that were new, in seq order. */
  add(messages: ChatMessage[]): ChatMessage[] {
    const fresh = messages.filter((m) => m.roomId === this.roomId && !this.bySeq.has(m.seq));
    if (fresh.length === 0) return [];
    for (const message of fresh) this.bySeq.set(message.seq, message);
    const newest = this.ordered.at(-1)?.seq ?? -Infinity;
    const appendOnly = fresh.every((m) => m.seq > newest);
    fresh.sort((a, b) => a.seq - b.seq);
    this.ordered = appendOnly ? [...this.ordered, ...fresh] : [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return fresh;
  }

  get messages(): readonly ChatMessage[] {
    return this.ordered;
  }

  get oldestSeq(): number | undefined {
    return this.ordered[0]?.seq;
  }
}

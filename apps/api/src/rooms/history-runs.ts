import { LRUCache } from 'lru-cache';
import { countUpToSeq, type ChatMessage, type HistoryPage } from '@app/contracts';

/** Every message of a room with from ≤ seq ≤ to, in seq order: a complete stretch of its history. */
export interface HistoryRun {
  /** 1 when the run reaches the room's first message. */
  from: number;
  to: number;
  messages: ChatMessage[];
}

/**
 * Stretches of rooms' final history (below the persister's committed offset, so they can never
 * change), kept in memory to answer `before`/`after` pages that fall inside them. A user scrolling
 * back asks for pages one after another; reading a stretch around the first one answers the next
 * ones without the store. Overlapping or adjacent stretches are merged. Rooms are dropped least
 * recently used first, by message count; dropping one never gives a wrong answer, only a store read.
 */
export class HistoryRuns {
  private readonly rooms: LRUCache<string, HistoryRun[]>;

  constructor(private readonly maxMessages: number) {
    this.rooms = new LRUCache<string, HistoryRun[]>({
      maxSize: Math.max(1, maxMessages),
      sizeCalculation: (runs) => Math.max(1, runs.reduce((n, r) => n + r.messages.length, 0)),
    });
  }

  /** Off (HISTORY_CACHE_MESSAGES=0): nothing is kept, and nothing should be read around cursors for it. */
  get enabled(): boolean {
    return this.maxMessages > 0;
  }

  add(roomId: string, run: HistoryRun): void {
    if (!this.enabled) return;
    let merged = run;
    const rest: HistoryRun[] = [];
    for (const other of this.rooms.get(roomId) ?? []) {
      if (other.from <= merged.to + 1 && merged.from <= other.to + 1) merged = union(merged, other);
      else rest.push(other);
    }
    let runs = [...rest, merged].sort((a, b) => a.from - b.from);
    // One room may not take more than half of the cache: keep only the stretch just read and what
    // is nearest it then (a long scroll keeps the part it reads next, not the part it left).
    const half = Math.max(1, Math.floor(this.maxMessages / 2));
    if (count(runs) > half) runs = [nearest(merged, run, half)];
    if (count(runs) > this.maxMessages) return;
    this.rooms.set(roomId, runs);
  }

  /** The `limit` newest messages with seq < before, or undefined when not all are held. */
  before(roomId: string, before: number, limit: number): HistoryPage | undefined {
    if (before <= 1) return { messages: [], hasMore: false };
    const run = this.holding(roomId, before - 1);
    if (!run) return undefined;
    const end = countUpToSeq(run.messages, before - 1);
    if (end < limit && run.from > 1) return undefined; // older messages exist that are not held
    const start = Math.max(0, end - limit);
    return { messages: run.messages.slice(start, end), hasMore: start > 0 || run.from > 1 };
  }

  /** The `limit` oldest messages with seq > after, when they and one more are held (so hasMore is known). */
  after(roomId: string, after: number, limit: number): HistoryPage | undefined {
    const run = this.holding(roomId, after + 1);
    if (!run) return undefined;
    const start = countUpToSeq(run.messages, after);
    if (run.messages.length - start <= limit) return undefined; // the end of what is held: more may follow
    return { messages: run.messages.slice(start, start + limit), hasMore: true };
  }

  /** The held stretch of the room that covers `seq`, if any. */
  holding(roomId: string, seq: number): Readonly<HistoryRun> | undefined {
    return this.rooms.get(roomId)?.find((r) => r.from <= seq && seq <= r.to);
  }
}

/** The `keep` messages of `merged` centred on the stretch `fresh` (as far as `merged` allows), still a complete stretch. */
function nearest(merged: HistoryRun, fresh: HistoryRun, keep: number): HistoryRun {
  const n = merged.messages.length;
  if (n <= keep) return merged;
  const centre = (countUpToSeq(merged.messages, fresh.from - 1) + countUpToSeq(merged.messages, fresh.to)) >> 1;
  const start = Math.max(0, Math.min(n - keep, centre - (keep >> 1)));
  const end = start + keep;
  return {
    // Cut at a message: every message between the new ends is still held.
    from: start === 0 ? merged.from : merged.messages[start]!.seq,
    to: end === n ? merged.to : merged.messages[end - 1]!.seq,
    messages: merged.messages.slice(start, end),
  };
}

function union(a: HistoryRun, b: HistoryRun): HistoryRun {
  const bySeq = new Map<number, ChatMessage>();
  for (const m of a.messages) bySeq.set(m.seq, m);
  for (const m of b.messages) bySeq.set(m.seq, m);
  return { from: Math.min(a.from, b.from), to: Math.max(a.to, b.to), messages: [...bySeq.values()].sort((x, y) => x.seq - y.seq) };
}

const count = (runs: HistoryRun[]): number => runs.reduce((n, r) => n + r.messages.length, 0);

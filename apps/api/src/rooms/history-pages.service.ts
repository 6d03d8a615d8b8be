import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, countUpToSeq, type HistoryPage } from '@app/contracts';
import { MessagesTopic, PersistedProgress } from '@app/kafka';
import { MessagesRepository, RoomsRepository, type PageQuery } from '@app/mongo';
import { ChatMetrics } from '@app/observability';
import { callDependency, InFlight } from '@app/resilience';
import { HistoryRuns, type HistoryRun } from './history-runs';

/** A room's existence is re-read after this (a deleted room's history is answered for at most this long). */
const ROOM_TTL_MS = 10_000;
/** Messages read on each side of a `before`/`after` cursor that was not held: the next pages of a scroll. */
const READ_AROUND = 200;
/**
 * A page answered from memory within this many messages of either end of its stretch reads the
 * next stretch past that end in the background, so that a scroll does not wait for the store at
 * each stretch's end (nor do the room's other readers, who would wait for that read: a stretch
 * costs the store ~40 ms idle, several hundred under load).
 */
const READ_AHEAD_WITHIN = 100;
/**
 * Stretches read ahead at once, across rooms (one per room at most). They run outside the api's
 * StoreAdmission (whose slots the requests hold), so this bounds the store work they add to it.
 */
const READ_AHEAD_AT_ONCE = 2;

/** The newest page of a room, valid while its partition's committed offset stays `committed`. */
interface NewestPage {
  page: HistoryPage;
  committed: bigint;
}

/**
 * History paging (PROTOCOL.md), answered from memory where history can no longer change. The
 * persister commits a partition's offset only after the store has everything below it, so every
 * message of a room up to the committed offset (seq ≤ committed) is final:
 * - a `before`/`after` page is served from HistoryRuns, stretches of final history read around
 *   the first cursor that was not held (a scroll back reads the store once per ~200 messages);
 * - the newest page is kept until the partition's committed offset moves.
 * Everything is first read from the store, so memory can be lost at any time without a wrong
 * answer; if Kafka cannot tell the committed offset, the store answers and nothing is kept.
 */
@Injectable()
export class HistoryPages {
  private readonly logger = new Logger(HistoryPages.name);
  private readonly runs: HistoryRuns;
  private readonly newest = new LRUCache<string, NewestPage>({ max: 10_000 });
  /**
   * Rooms known to exist. A room not known (or known too long ago) is read once for all its
   * concurrent readers: without that, every reader of a busy room asked the store at the same
   * moment each time the entry expired (50 readers, 50 reads, all of them waiting).
   */
  private readonly rooms = new LRUCache<string, true>({
    max: 50_000,
    ttl: ROOM_TTL_MS,
    // undefined (no such room) is not kept: a room created a moment later is found at once.
    fetchMethod: async (roomId) => ((await callDependency('mongo', () => this.roomStore.findById(roomId), { what: 'reading a room' })) ? true : undefined),
  });
  /** One store read around a cursor per room at a time: concurrent readers of a room share it. */
  private readonly reading = new InFlight();
  private readingAhead = 0;

  constructor(
    private readonly messages: MessagesRepository,
    private readonly roomStore: RoomsRepository,
    private readonly topic: MessagesTopic,
    private readonly progress: PersistedProgress,
    private readonly metrics: ChatMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.runs = new HistoryRuns(config.api.historyCacheMessages);
  }

  async page(roomId: string, query: PageQuery): Promise<HistoryPage> {
    await this.mustExist(roomId);
    if (query.before === undefined && query.after === undefined) return this.newestPage(roomId, query);
    if (!this.runs.enabled) return this.read(roomId, query);
    const held = this.held(roomId, query);
    if (held) return this.fromMemory(roomId, query, held);
    const underWay = this.reading.underWay(roomId); // someone may be reading this very stretch
    if (underWay) {
      await underWay;
      const now = this.held(roomId, query);
      if (now) return this.fromMemory(roomId, query, now);
    }
    // Read before the store: everything up to it is certainly in what the store answers.
    const committed = await this.committedOffset(roomId);
    if (committed !== null) {
      await this.reading.run(roomId, () => this.readAround(roomId, query, committed));
      const fresh = this.held(roomId, query);
      // Its messages were just read from the store, with the stretch around them.
      if (fresh) return this.answered('store', fresh);
    }
    // Not final yet (at the live end of the room), or the position is unknown.
    return this.read(roomId, query);
  }

  private held(roomId: string, { before, after, limit }: PageQuery): HistoryPage | undefined {
    return before !== undefined ? this.runs.before(roomId, before, limit) : this.runs.after(roomId, after!, limit);
  }

  /** Reads the final history around the cursor into HistoryRuns (nothing when the cursor is not final). */
  private async readAround(roomId: string, { before, after }: PageQuery, committed: bigint): Promise<void> {
    const last = Number(committed); // the newest final seq: seq = offset + 1 ≤ committed offset
    const cursor = before !== undefined ? before - 1 : after!;
    if (cursor > last) return;
    // The two stretches meet at the cursor, so HistoryRuns merges them into one.
    const [older, newer] = await Promise.all([before !== undefined ? this.olderStretch(roomId, before) : undefined, this.newerStretch(roomId, cursor, last)]);
    if (older) this.runs.add(roomId, older);
    this.runs.add(roomId, newer);
  }

  /** Every message older than `before`, up to READ_AROUND of them: a stretch ending at before - 1. */
  private async olderStretch(roomId: string, before: number): Promise<HistoryRun> {
    const older = await this.readStore(roomId, { before, limit: READ_AROUND });
    return { from: older.hasMore ? older.messages[0]!.seq : 1, to: before - 1, messages: older.messages };
  }

  /** Every final message newer than `after`, up to READ_AROUND of them: a stretch starting at after + 1. */
  private async newerStretch(roomId: string, after: number, last: number): Promise<HistoryRun> {
    const newer = await callDependency('mongo', () => this.messages.range(roomId, after, last, READ_AROUND), { what: 'reading history' });
    return { from: after + 1, to: newer.hasMore ? newer.messages.at(-1)!.seq : last, messages: newer.messages };
  }

  private fromMemory(roomId: string, query: PageQuery, page: HistoryPage): HistoryPage {
    this.readAhead(roomId, query, page);
    return this.answered('memory', page);
  }

  /**
   * When a page from memory lies near an end of its stretch, reads the next stretch past that end
   * in the background (READ_AHEAD_WITHIN). `after` pages read ahead newer history only (a stretch
   * read for one starts at its cursor: the older side is always near and seldom wanted); `before`
   * pages older history, or newer when they move forward (a reader paging through with `before`).
   * Best effort: a failed read only means that a later page reads the store itself, as without it.
   */
  private readAhead(roomId: string, query: PageQuery, page: HistoryPage): void {
    const oldest = page.messages[0];
    const newest = page.messages.at(-1);
    if (!oldest || !newest || this.readingAhead >= READ_AHEAD_AT_ONCE || this.reading.underWay(roomId)) return;
    const run = this.runs.holding(roomId, oldest.seq);
    if (!run || newest.seq > run.to) return;
    const olderLeft = countUpToSeq(run.messages, oldest.seq) - 1;
    const newerLeft = run.messages.length - countUpToSeq(run.messages, newest.seq);
    const older = query.before !== undefined && run.from > 1 && olderLeft < READ_AHEAD_WITHIN && olderLeft <= newerLeft;
    if (!older && newerLeft >= READ_AHEAD_WITHIN) return;
    const { from, to } = run;
    this.readingAhead++;
    void this.reading
      .run(roomId, async () => {
        if (older) return this.runs.add(roomId, await this.olderStretch(roomId, from));
        // Newer history is read only as far as it is final.
        const committed = await this.committedOffset(roomId);
        if (committed !== null && to < Number(committed)) this.runs.add(roomId, await this.newerStretch(roomId, to, Number(committed)));
      })
      .catch((error: unknown) => this.logger.debug(`reading ahead in ${roomId}: ${(error as Error).message}`))
      .finally(() => this.readingAhead--);
  }

  private async newestPage(roomId: string, query: PageQuery): Promise<HistoryPage> {
    const key = `${roomId}|${query.limit}`;
    const committed = await this.committedOffset(roomId);
    const cached = this.newest.get(key);
    if (cached && committed !== null && cached.committed === committed) return this.answered('memory', cached.page);
    const page = await this.read(roomId, query);
    if (committed !== null) this.newest.set(key, { page, committed });
    return page;
  }

  /** A page answered by the store alone. */
  private async read(roomId: string, query: PageQuery): Promise<HistoryPage> {
    return this.answered('store', await this.readStore(roomId, query));
  }

  private readStore(roomId: string, query: PageQuery): Promise<HistoryPage> {
    return callDependency('mongo', () => this.messages.page(roomId, query), { what: 'reading history' });
  }

  private answered(source: 'memory' | 'store', page: HistoryPage): HistoryPage {
    this.metrics.historyPages.inc({ source });
    return page;
  }

  private async mustExist(roomId: string): Promise<void> {
    if (!(await this.rooms.fetch(roomId))) throw new ChatError('not_found', `room ${roomId} does not exist`);
  }

  private async committedOffset(roomId: string): Promise<bigint | null> {
    try {
      await this.topic.ensure(); // once per process: learns the topic's partition count
      return await this.progress.committed(this.topic.partitionOf(roomId));
    } catch (error) {
      this.logger.warn(`history position unknown, nothing kept: ${(error as Error).message}`);
      return null;
    }
  }
}

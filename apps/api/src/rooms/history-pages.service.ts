import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, type HistoryPage } from '@app/contracts';
import { MessagesTopic, PersistedProgress } from '@app/kafka';
import { MessagesRepository, RoomsRepository, type PageQuery } from '@app/mongo';
import { ChatMetrics } from '@app/observability';
import { callDependency, InFlight } from '@app/resilience';
import { HistoryRuns, type HistoryRun } from './history-runs';

/** A room's existence is re-read after this (a deleted room's history is answered for at most this long). */
const ROOM_TTL_MS = 10_000;
/** Messages read on each side of a `before`/`after` cursor that was not held: the next pages of a scroll. */
const READ_AROUND = 200;

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
  private readonly rooms = new LRUCache<string, true>({ max: 50_000, ttl: ROOM_TTL_MS });
  /** One store read around a cursor per room at a time: concurrent readers of a room share it. */
  private readonly reading = new InFlight();

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
    if (held) return this.answered('memory', held);
    const underWay = this.reading.underWay(roomId); // someone may be reading this very stretch
    if (underWay) {
      await underWay;
      const now = this.held(roomId, query);
      if (now) return this.answered('memory', now);
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
    const [older, newer] = await Promise.all([
      before !== undefined ? this.readStore(roomId, { before, limit: READ_AROUND }) : undefined,
      callDependency('mongo', () => this.messages.range(roomId, cursor, last, READ_AROUND), { what: 'reading history' }),
    ]);
    const run: HistoryRun = {
      // Without an older read, the run starts right after the cursor (the `after` page's first).
      from: older === undefined ? cursor + 1 : older.hasMore ? older.messages[0]!.seq : 1,
      to: newer.hasMore ? newer.messages.at(-1)!.seq : last,
      messages: [...(older?.messages ?? []), ...newer.messages],
    };
    this.runs.add(roomId, run);
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
    if (this.rooms.has(roomId)) return;
    if (!(await callDependency('mongo', () => this.roomStore.findById(roomId), { what: 'reading a room' }))) {
      throw new ChatError('not_found', `room ${roomId} does not exist`);
    }
    this.rooms.set(roomId, true);
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

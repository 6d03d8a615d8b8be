import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ChatError, type HistoryPage } from '@app/contracts';
import { MessagesTopic, PersistedProgress } from '@app/kafka';
import { MessagesRepository, RoomsRepository, type PageQuery } from '@app/mongo';
import { callDependency } from '@app/resilience';
import { pageCacheability } from './page-cacheability';

/** A room's existence is re-read after this (a deleted room's history is answered for at most this long). */
const ROOM_TTL_MS = 10_000;

interface CachedPage {
  page: HistoryPage;
  /** Set for a page that changes with new messages: valid while the partition's committed offset is this. */
  whileCommitted?: bigint;
}

/**
 * History paging (PROTOCOL.md) with a cache of the pages that can no longer change. The persister
 * commits a partition's offset only after the store has everything below it, so a page lying
 * wholly below the committed offset is final: it is kept (LRU, bounded) and answered from memory.
 * The newest page is kept only while its partition's committed offset stays the same. Every page
 * is first read from the store, so the cache can be lost at any time without a wrong answer; if
 * Kafka cannot tell the committed offset, nothing is cached and the store answers.
 */
@Injectable()
export class HistoryPages {
  private readonly logger = new Logger(HistoryPages.name);
  private readonly pages = new LRUCache<string, CachedPage>({
    max: 20_000,
    // A page of 100 messages of 4,000 characters is ~800 KB; most are a few KB.
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (v) => 512 + v.page.messages.reduce((n, m) => n + 256 + 2 * m.text.length, 0),
  });
  private readonly rooms = new LRUCache<string, true>({ max: 50_000, ttl: ROOM_TTL_MS });

  constructor(
    private readonly messages: MessagesRepository,
    private readonly roomStore: RoomsRepository,
    private readonly topic: MessagesTopic,
    private readonly progress: PersistedProgress,
  ) {}

  async page(roomId: string, query: PageQuery): Promise<HistoryPage> {
    await this.mustExist(roomId);
    const key = `${roomId}|${query.limit}|${query.before ?? ''}|${query.after ?? ''}`;
    const cached = this.pages.get(key);
    // A final page needs nothing else; the newest page is checked against the committed offset.
    if (cached && cached.whileCommitted === undefined) return cached.page;
    // Read before the store: everything below it is certainly in what the store answers.
    const committed = await this.committedOffset(roomId);
    if (cached && cached.whileCommitted === committed) return cached.page;

    const page = await callDependency('mongo', () => this.messages.page(roomId, query), { what: 'reading history' });
    if (committed !== null) {
      const cacheable = pageCacheability(query, page, committed);
      if (cacheable === 'final') this.pages.set(key, { page });
      else if (cacheable === 'until-next-commit') this.pages.set(key, { page, whileCommitted: committed });
    }
    return page;
  }

  private async mustExist(roomId: string): Promise<void> {
    if (this.rooms.has(roomId)) return;
    if (!(await callDependency('mongo', () => this.roomStore.findById(roomId), { what: 'reading a room' }))) throw new ChatError('not_found', `room ${roomId} does not exist`);
    this.rooms.set(roomId, true);
  }

  private async committedOffset(roomId: string): Promise<bigint | null> {
    try {
      return await this.progress.committed(this.topic.partitionOf(roomId));
    } catch (error) {
      this.logger.warn(`history position unknown, page not cached: ${(error as Error).message}`);
      return null;
    }
  }
}

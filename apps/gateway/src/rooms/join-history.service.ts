import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PersistedProgress } from '@app/kafka';
import { MessagesRepository } from '@app/mongo';
import { ChatMetrics } from '@app/observability';
import { callDependency, InFlight } from '@app/resilience';
import { RoomTails, type TailPage } from '../live/room-tails';

/**
 * The messages a join answers with: every message of the room up to `untilSeq` (the live
 * position when the join registered), the newest page, or from `since` on. Answered from this
 * replica's RoomTails when it holds them: no store read, no wait for the persister. Otherwise
 * history must first reach the room's newest record (`historyNeeded`, at most untilSeq; the
 * persister commits only what MongoDB has), and the page itself is read from the store, while the
 * room's newest messages are read into the tail in the background for the joins that follow. The
 * join never waits for that larger read: under load it took the first joins of a room 1–2 s.
 */
@Injectable()
export class JoinHistory {
  private readonly logger = new Logger(JoinHistory.name);
  /** One warming read per room at a time: the joins of a room that arrive together share it. */
  private readonly warming = new InFlight();

  constructor(
    private readonly tails: RoomTails,
    private readonly progress: PersistedProgress,
    private readonly messages: MessagesRepository,
    private readonly metrics: ChatMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async page(roomId: string, partition: number, since: number | undefined, untilSeq: number, historyNeeded: number): Promise<TailPage> {
    const held = this.fromTail(roomId, since, untilSeq);
    if (held) return this.answered('memory', held);

    const { joinWaitMs, joinPageSize, historyPageSize, roomTail } = this.config.chat;
    await callDependency('kafka', () => this.progress.waitFor(partition, historyNeeded, joinWaitMs), { timeoutMs: joinWaitMs + 1000, what: 'waiting for history' });
    if (roomTail.perRoom > 0 && !this.tails.isWarm(roomId)) void this.warm(roomId, untilSeq).catch((error: Error) => this.logger.warn(`room ${roomId} not kept in memory: ${error.message}`));
    const page = await callDependency('mongo', () =>
      since !== undefined ? this.messages.range(roomId, since, untilSeq, joinPageSize) : this.messages.newest(roomId, untilSeq, historyPageSize),
      { what: 'reading history' },
    );
    // The page is kept too when it is a whole run up to untilSeq: the joins of the room right after
    // this one (a reconnect storm re-joins with nearly the same since) are answered from it while
    // the larger read is under way.
    const from = runStart(page, since);
    if (roomTail.perRoom > 0 && from !== undefined) this.tails.warm(roomId, page.messages, untilSeq, from);
    return this.answered('store', page);
  }

  /** Reads the room's newest messages up to untilSeq into RoomTails, unless a read of them is under way. */
  private async warm(roomId: string, untilSeq: number): Promise<void> {
    // A warming under way may have an older position than ours; RoomTails joins it to what the
    // live stream added since.
    if (this.warming.underWay(roomId)) return;
    await this.warming.run(roomId, async () => {
      const { perRoom } = this.config.chat.roomTail;
      const newest = await callDependency('mongo', () => this.messages.newest(roomId, untilSeq, perRoom), { what: 'warming a room' });
      this.tails.warm(roomId, newest.messages, untilSeq, newest.hasMore ? newest.messages[0]!.seq : 1);
    });
  }

  private fromTail(roomId: string, since: number | undefined, untilSeq: number): TailPage | undefined {
    const { joinPageSize, historyPageSize } = this.config.chat;
    return since !== undefined ? this.tails.after(roomId, since, untilSeq, joinPageSize) : this.tails.newest(roomId, untilSeq, historyPageSize);
  }

  private answered(source: 'memory' | 'store', page: TailPage): TailPage {
    this.metrics.joinPages.inc({ source });
    return page;
  }
}

/**
 * Where the run of a join's page starts, if the page holds every message of the room from there to
 * the join's position: a `since` page that was not cut at the page size, or a newest page.
 */
function runStart(page: TailPage, since: number | undefined): number | undefined {
  if (since !== undefined) return page.hasMore ? undefined : since + 1;
  return page.hasMore ? page.messages[0]!.seq : 1;
}

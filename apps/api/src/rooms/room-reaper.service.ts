import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { MessagesRepository, RoomsRepository } from '@app/mongo';
import { claimOnce, REDIS, RedisKeys, ReplicaBus, RoomPresence } from '@app/redis';

/**
 * Removes rooms that nobody uses: no message ever, nobody in them, older than the empty-room TTL.
 * Rooms with history stay forever. A Redis lock lets one API replica sweep at a time.
 */
@Injectable()
export class RoomReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RoomReaper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rooms: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly presence: RoomPresence,
    private readonly bus: ReplicaBus,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.rooms
      .markRoomsWithoutHistory()
      .then((marked) => marked > 0 && this.logger.log(`marked ${marked} room(s) stored before the history field`))
      .catch((error: Error) => this.logger.warn(`rooms not marked, the reaper misses older empty rooms until the next start: ${error.message}`));
    const everyMs = Math.min(30_000, Math.max(1_000, (this.config.chat.emptyRoomTtlSeconds * 1000) / 4));
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const mine = await claimOnce(this.redis, RedisKeys.roomReaperLock, 10_000, this.config.instanceId).catch(() => false);
    if (!mine) return 0;
    let removed = 0;
    try {
      const cutoff = new Date(Date.now() - this.config.chat.emptyRoomTtlSeconds * 1000);
      const candidates = await this.rooms.findUnusedBefore(cutoff);
      const members = await this.presence.membersOf(candidates.map((r) => r._id));
      for (const room of candidates) {
        if ((members.get(room._id)?.length ?? 0) > 0) continue;
        // The stored count is updated about once a second, after the messages themselves.
        if (await this.messages.hasMessages(room._id)) continue;
        if (await this.rooms.deleteIfUnused(room._id)) {
          removed++;
          await this.bus.publish({ kind: 'room-deleted', roomId: room._id });
        }
      }
      if (removed > 0) this.logger.log(`removed ${removed} empty room(s)`);
    } catch (error) {
      this.logger.warn(`empty-room sweep failed: ${(error as Error).message}`);
    } finally {
      await this.redis.del(RedisKeys.roomReaperLock).catch(() => undefined);
    }
    return removed;
  }
}

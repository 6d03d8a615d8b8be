import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { replicaNoticeSchema, type ReplicaNotice } from '@app/contracts';
import { RedisConnections } from './redis-connections';
import { RedisKeys } from './redis-keys';

type Handler<K extends ReplicaNotice['kind']> = (notice: Extract<ReplicaNotice, { kind: K }>) => void;

const CHANNEL = RedisKeys.busChannel;

/**
 * The Redis pub/sub bus for ReplicaNotices (libs/contracts). Best effort by design: see there.
 */
@Injectable()
export class ReplicaBus implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReplicaBus.name);
  private publisher: Redis | undefined;
  private readonly handlers = new Map<string, ((n: ReplicaNotice) => void)[]>();

  constructor(private readonly connections: RedisConnections) {}

  async onApplicationBootstrap(): Promise<void> {
    this.publisher = await this.connections.open('bus-pub');
    const subscriber = await this.connections.open('bus-sub');
    subscriber.on('message', (_channel: string, raw: string) => this.dispatch(raw));
    await subscriber.subscribe(CHANNEL);
  }

  on<K extends ReplicaNotice['kind']>(kind: K, handler: Handler<K>): void {
    const list = this.handlers.get(kind) ?? [];
    list.push(handler as (n: ReplicaNotice) => void);
    this.handlers.set(kind, list);
  }

  /** Best effort by design (see above): a failed publish is logged, never thrown at a client. */
  async publish(notice: ReplicaNotice): Promise<void> {
    if (!this.publisher) return;
    await this.publisher.publish(CHANNEL, JSON.stringify(notice)).catch((error: Error) => {
      this.logger.warn(`bus notice ${notice.kind} not published: ${error.message}`);
    });
  }

  private dispatch(raw: string): void {
    let notice: ReplicaNotice;
    try {
      notice = replicaNoticeSchema.parse(JSON.parse(raw));
    } catch {
      this.logger.warn('ignoring an unreadable bus notice');
      return;
    }
    for (const handler of this.handlers.get(notice.kind) ?? []) {
      try {
        handler(notice);
      } catch (error) {
        this.logger.error(`bus handler for ${notice.kind} failed: ${(error as Error).message}`);
      }
    }
  }
}

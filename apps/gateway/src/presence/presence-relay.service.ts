import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { PresenceEvent, User } from '@app/contracts';
import { RedisConnections } from '@app/redis';
import { roomChannel, type ChatServer } from '../socket/socket-state';

const CHANNEL = 'chat:presence';

interface PresenceNotice {
  roomId: string;
  event: PresenceEvent;
  user: User;
  members: User[];
}

/**
 * Presence changes reach the room's sockets on every replica through Redis pub/sub (ephemeral by
 * design: a notice missed during a Redis outage is repaired by the next one, which carries the
 * full member list). Chat messages never travel here; they have Kafka.
 */
@Injectable()
export class PresenceRelay implements OnApplicationBootstrap {
  private readonly logger = new Logger(PresenceRelay.name);
  private publisher: Redis | undefined;
  private server: ChatServer | undefined;

  constructor(private readonly connections: RedisConnections) {}

  attach(server: ChatServer): void {
    this.server = server;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.publisher = await this.connections.open('presence-pub');
    const subscriber = await this.connections.open('presence-sub');
    subscriber.on('message', (_channel: string, raw: string) => this.onNotice(raw));
    await subscriber.subscribe(CHANNEL);
  }

  async publish(notice: PresenceNotice): Promise<void> {
    await this.publisher?.publish(CHANNEL, JSON.stringify(notice)).catch((error: Error) => {
      this.logger.warn(`presence notice not published: ${error.message}`);
    });
  }

  private onNotice(raw: string): void {
    try {
      const notice = JSON.parse(raw) as PresenceNotice;
      this.server?.to(roomChannel(notice.roomId)).emit('presence', notice);
    } catch {
      this.logger.warn('ignoring an unreadable presence notice');
    }
  }
}

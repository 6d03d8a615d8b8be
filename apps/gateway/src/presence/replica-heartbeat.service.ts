import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { User } from '@app/contracts';
import { ChatMetrics } from '@app/observability';
import { presenceEntry, ReplicaRegistry, RoomPresence, type ClientSession } from '@app/redis';
import { LocalSockets } from '../socket/local-sockets';

/**
 * This replica's heartbeat: moves the expiry of its presence entries forward (so entries of a
 * replica that died drop out within the TTL) and reports itself and its sessions for the admin
 * API. Runs three times per TTL, so one slow beat does not drop anyone.
 */
@Injectable()
export class ReplicaHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReplicaHeartbeat.name);
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly sockets: LocalSockets,
    private readonly presence: RoomPresence,
    private readonly registry: ReplicaRegistry,
    private readonly metrics: ChatMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.beat(), this.ttlMs / 3);
    this.timer.unref();
    void this.beat();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.pending);
    await this.registry.forget(this.config.instanceId).catch(() => undefined);
  }

  private get ttlMs(): number {
    return this.config.chat.presenceTtlSeconds * 1000;
  }

  /** A beat shortly after a change (connect, join, ...), so admin views do not lag a whole period. */
  soon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.beat();
    }, 200);
    this.pending.unref();
  }

  async beat(): Promise<void> {
    const entries: { roomId: string; entry: string; user: User }[] = [];
    const sessions: ClientSession[] = [];
    for (const socket of this.sockets.all()) {
      const { user, sessionId, rooms, connectedAt } = socket.data;
      for (const roomId of rooms) entries.push({ roomId, entry: presenceEntry(this.config.instanceId, socket.id), user });
      const forwarded = socket.handshake.headers['x-forwarded-for'];
      sessions.push({
        socketId: socket.id,
        sessionId,
        user,
        instance: this.config.instanceId,
        rooms: [...rooms],
        connectedAt,
        address: (typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : undefined) ?? socket.handshake.address,
      });
    }
    const roomCount = new Set(entries.map((e) => e.roomId)).size;
    this.metrics.activeRooms.set(roomCount);
    try {
      await this.presence.refresh(this.config.instanceId, entries);
      await this.registry.report(
        {
          instance: this.config.instanceId,
          port: this.config.ports.gateway,
          pid: process.pid,
          startedAt: this.startedAt,
          lastBeatAt: new Date().toISOString(),
          connections: sessions.length,
          rooms: roomCount,
        },
        sessions,
        this.ttlMs,
      );
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { User } from '@app/contracts';
import { ChatMetrics } from '@app/observability';
import { presenceEntry, ReplicaRegistry, RoomPresence, type ClientSession } from '@app/redis';
import { LocalSockets } from '../socket/local-sockets';
import type { ChatSocket } from '../socket/socket-state';

/**
 * This replica's heartbeat: moves the expiry of its presence entries and admin sessions forward
 * (so those of a replica that died drop out within the TTL) and reports itself for the admin API.
 * Runs three times per TTL, so one slow beat does not drop anyone. Sessions are reported one by
 * one as they change (a snapshot of every session on each connect cost O(connections) per
 * connect: the event loop lagged ~100 ms while thousands connected).
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

  /** A session started or changed (joined or left a room): its admin entry now, the replica's count soon. */
  sessionChanged(socket: ChatSocket): void {
    void this.registry.putSession(this.sessionOf(socket), this.ttlMs).catch((error: Error) => this.logger.warn(`session not reported: ${error.message}`));
    this.soon();
  }

  sessionEnded(socket: ChatSocket): void {
    void this.registry.dropSession(this.config.instanceId, socket.id).catch((error: Error) => this.logger.warn(`session not removed: ${error.message}`));
    this.soon();
  }

  /** A beat shortly after a change, so the replica's counts in admin views do not lag a whole period. */
  private soon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.beat();
    }, 200);
    this.pending.unref();
  }

  async beat(): Promise<void> {
    const entries: { roomId: string; entry: string; user: User }[] = [];
    let connections = 0;
    for (const socket of this.sockets.all()) {
      connections++;
      const { user, rooms } = socket.data;
      for (const roomId of rooms) entries.push({ roomId, entry: presenceEntry(this.config.instanceId, socket.id), user });
    }
    const roomCount = new Set(entries.map((e) => e.roomId)).size;
    this.metrics.activeRooms.set(roomCount);
    try {
      await this.presence.refresh(this.config.instanceId, entries);
      const record = {
        instance: this.config.instanceId,
        port: this.config.ports.gateway,
        pid: process.pid,
        startedAt: this.startedAt,
        lastBeatAt: new Date().toISOString(),
        connections,
        rooms: roomCount,
      };
      if (!(await this.registry.report(record, this.ttlMs))) {
        await this.registry.restoreSessions(this.config.instanceId, [...this.sockets.all()].map((s) => this.sessionOf(s)), this.ttlMs);
      }
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }

  private sessionOf(socket: ChatSocket): ClientSession {
    const { user, sessionId, rooms, address } = socket.data;
    return {
      socketId: socket.id,
      sessionId,
      user,
      instance: this.config.instanceId,
      rooms: [...rooms],
      connectedAt: new Date(socket.handshake.issued).toISOString(),
      address,
    };
  }
}

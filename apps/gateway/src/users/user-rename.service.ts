import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, type User } from '@app/contracts';
import { UsersRepository } from '@app/mongo';
import { REDIS, ReplicaBus, RoomPresence } from '@app/redis';
import { PresenceNotifier } from '../presence/presence-notifier.service';
import { presenceEntry, userChannel, type ChatServer, type ChatSocket } from '../socket/socket-state';
import { SocketServerRef } from '../socket/socket-server.ref';

/**
 * `user:rename`: the name changes in MongoDB, then on every socket of the user on every replica
 * (so their next messages carry it), in presence, and each room they are in hears one `rename`.
 */
@Injectable()
export class UserRename implements OnApplicationBootstrap {
  private readonly logger = new Logger(UserRename.name);

  constructor(
    private readonly serverRef: SocketServerRef,
    private readonly users: UsersRepository,
    private readonly bus: ReplicaBus,
    private readonly presence: RoomPresence,
    private readonly notifier: PresenceNotifier,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get server(): ChatServer | undefined {
    return this.serverRef.server;
  }

  onApplicationBootstrap(): void {
    this.bus.on('user-renamed', ({ user }) => void this.apply(user));
  }

  async rename(socket: ChatSocket, username: string): Promise<User> {
    const current = socket.data.user;
    if (current.username === username) return current;
    const renamed = await this.users.rename(current.id, username).catch(() => {
      throw new ChatError('unavailable', 'users cannot be updated now; retry later', 1000);
    });
    if (!renamed) throw new ChatError('bad_request', `username ${username} is taken`);
    const user = { id: current.id, username };
    // Applied here at once (the ack and this socket's next message already carry the new name);
    // the bus brings it to the other replicas, and to this one again, harmlessly.
    await this.apply(user);
    await this.bus.publish({ kind: 'user-renamed', user });
    return user;
  }

  /** Idempotent: sockets that already carry the name are left alone. */
  private async apply(user: User): Promise<void> {
    if (!this.server) return;
    const namespace = this.server.of('/');
    const sockets = [...(namespace.adapter.rooms.get(userChannel(user.id)) ?? [])]
      .map((id) => namespace.sockets.get(id))
      .filter((s): s is ChatSocket => s !== undefined && s.data.user.username !== user.username);
    if (sockets.length === 0) return;
    for (const s of sockets) s.data.user = user;
    const entries = sockets.flatMap((s) => [...s.data.rooms].map((roomId) => ({ roomId, entry: presenceEntry(this.config.instanceId, s.id) })));
    try {
      await this.presence.rename(entries, user);
      for (const roomId of new Set(entries.map((e) => e.roomId))) {
        // Several replicas may hold tabs of this user in one room: one of them announces.
        const first = await this.redis.set(`renamed:{${roomId}}:${user.id}:${user.username}`, '1', 'EX', 10, 'NX');
        if (first === 'OK') await this.notifier.announce(roomId, 'rename', user, await this.presence.members(roomId));
      }
    } catch (error) {
      this.logger.warn(`rename of ${user.id} not fully announced: ${(error as Error).message}`);
    }
  }
}

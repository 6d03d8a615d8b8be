import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, type User } from '@app/contracts';
import { UsersRepository } from '@app/mongo';
import { callDependency } from '@app/resilience';
import { claimOnce, presenceEntry, REDIS, RedisKeys, ReplicaBus, RoomPresence } from '@app/redis';
import { PresenceNotifier } from '../presence/presence-notifier.service';
import { LocalSockets } from '../socket/local-sockets';
import type { ChatSocket } from '../socket/socket-state';

/**
 * `user:rename`: the name changes in MongoDB, then on every socket of the user on every replica
 * (so their next messages carry it), in presence, and each room they are in hears one `rename`.
 */
@Injectable()
export class UserRename implements OnApplicationBootstrap {
  private readonly logger = new Logger(UserRename.name);

  constructor(
    private readonly sockets: LocalSockets,
    private readonly users: UsersRepository,
    private readonly bus: ReplicaBus,
    private readonly presence: RoomPresence,
    private readonly notifier: PresenceNotifier,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on('user-renamed', ({ user }) => void this.apply(user));
  }

  async rename(socket: ChatSocket, username: string): Promise<User> {
    const current = socket.data.user;
    if (current.username === username) return current;
    const renamed = await callDependency('mongo', () => this.users.rename(current.id, username));
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
    const sockets = this.sockets.ofUser(user.id).filter((s) => s.data.user.username !== user.username);
    if (sockets.length === 0) return;
    for (const s of sockets) s.data.user = user;
    const entries = sockets.flatMap((s) => [...s.data.rooms].map((roomId) => ({ roomId, entry: presenceEntry(this.config.instanceId, s.id) })));
    try {
      await this.presence.rename(entries, user);
      for (const roomId of new Set(entries.map((e) => e.roomId))) {
        // Several replicas may hold tabs of this user in one room: one of them announces.
        if (await claimOnce(this.redis, RedisKeys.renameAnnouncement(roomId, user.id, user.username), 10_000)) await this.notifier.announce(roomId, 'rename', user, await this.presence.members(roomId));
      }
    } catch (error) {
      this.logger.warn(`rename of ${user.id} not fully announced: ${(error as Error).message}`);
    }
  }
}

import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ReplicaBus, RoomPresence } from '@app/redis';
import { RoomDirectory } from '../rooms/room-directory.service';
import { roomChannel, userChannel, type ChatServer } from '../socket/socket-state';
import { SocketServerRef } from '../socket/socket-server.ref';

/**
 * Carries out, on this replica, what the admin API (or the empty-room reaper) decided anywhere:
 * a deleted room's members here are told and removed; a kicked user's sockets here are closed.
 */
@Injectable()
export class AdminEvictions implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminEvictions.name);

  constructor(
    private readonly serverRef: SocketServerRef,
    private readonly bus: ReplicaBus,
    private readonly directory: RoomDirectory,
    private readonly presence: RoomPresence,
  ) {}

  private get server(): ChatServer | undefined {
    return this.serverRef.server;
  }

  onApplicationBootstrap(): void {
    this.bus.on('room-deleted', ({ roomId }) => this.roomDeleted(roomId));
    this.bus.on('user-kicked', ({ userId }) => this.userKicked(userId));
  }

  private roomDeleted(roomId: string): void {
    this.directory.forget(roomId);
    if (!this.server) return;
    const channel = roomChannel(roomId);
    const namespace = this.server.of('/');
    for (const id of [...(namespace.adapter.rooms.get(channel) ?? [])]) {
      const socket = namespace.sockets.get(id);
      if (!socket) continue;
      socket.data.rooms.delete(roomId);
      void socket.leave(channel);
      socket.emit('room:deleted', { roomId });
    }
    void this.presence.clear(roomId).catch(() => undefined);
  }

  /** A server-side disconnect: the client does not reconnect by itself, as a kick should be. */
  private userKicked(userId: string): void {
    if (!this.server) return;
    const namespace = this.server.of('/');
    const ids = [...(namespace.adapter.rooms.get(userChannel(userId)) ?? [])];
    for (const id of ids) namespace.sockets.get(id)?.disconnect(true);
    if (ids.length > 0) this.logger.log(`kicked user ${userId}: ${ids.length} socket(s)`);
  }
}

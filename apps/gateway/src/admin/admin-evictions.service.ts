import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ReplicaBus, RoomPresence } from '@app/redis';
import { RoomTails } from '../live/room-tails';
import { ReplicaHeartbeat } from '../presence/replica-heartbeat.service';
import { RoomDirectory } from '../rooms/room-directory.service';
import { LocalSockets } from '../socket/local-sockets';

/**
 * Carries out, on this replica, what the admin API (or the empty-room reaper) decided anywhere:
 * a deleted room's members here are told and removed; a kicked user's sockets here are closed.
 */
@Injectable()
export class AdminEvictions implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminEvictions.name);

  constructor(
    private readonly sockets: LocalSockets,
    private readonly bus: ReplicaBus,
    private readonly directory: RoomDirectory,
    private readonly presence: RoomPresence,
    private readonly tails: RoomTails,
    private readonly heartbeat: ReplicaHeartbeat,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on('room-deleted', ({ roomId }) => this.roomDeleted(roomId));
    this.bus.on('user-kicked', ({ userId }) => this.userKicked(userId));
  }

  private roomDeleted(roomId: string): void {
    this.directory.forget(roomId);
    this.tails.forget(roomId);
    for (const socket of this.sockets.inRoom(roomId)) {
      socket.data.rooms.delete(roomId);
      this.sockets.unsubscribe(socket, roomId);
      socket.emit('room:deleted', { roomId });
      this.heartbeat.sessionChanged(socket);
    }
    void this.presence.clear(roomId).catch(() => undefined);
  }

  /** A server-side disconnect: the client does not reconnect by itself, as a kick should be. */
  private userKicked(userId: string): void {
    const sockets = this.sockets.ofUser(userId);
    for (const socket of sockets) socket.disconnect(true);
    if (sockets.length > 0) this.logger.log(`kicked user ${userId}: ${sockets.length} socket(s)`);
  }
}

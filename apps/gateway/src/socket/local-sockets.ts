import { Injectable } from '@nestjs/common';
import type { ServerToClientEvents } from '@app/contracts';
import type { ChatServer, ChatSocket } from './socket-state';

type ServerEvent = keyof ServerToClientEvents;
type Payload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

/** The Socket.IO room a chat room's live events go to, and the one of all a user's tabs here. */
const roomChannel = (roomId: string): string => `room:${roomId}`;
const userChannel = (userId: string): string => `user:${userId}`;
const ROOM_PREFIX = 'room:';

/**
 * This replica's connections, in one owner (as Centrifuge's Hub): which sockets are here, which
 * users and rooms they belong to, and emitting to them. Socket.IO's rooms are used only as local
 * indexes (its adapter is the in-memory one: Kafka and the Redis bus carry what crosses replicas),
 * and nobody else knows how they are named.
 *
 * Nest creates the Socket.IO server after the providers, so the gateway attaches it in afterInit;
 * until then there are no sockets and every emit reaches nobody.
 */
@Injectable()
export class LocalSockets {
  private server: ChatServer | undefined;

  attach(server: ChatServer): void {
    this.server = server;
  }

  /** Every authenticated socket on this replica. */
  all(): ChatSocket[] {
    return [...(this.server?.of('/').sockets.values() ?? [])].filter((s) => s.data.user !== undefined);
  }

  ofUser(userId: string): ChatSocket[] {
    return this.members(userChannel(userId));
  }

  /** Sockets receiving the room's live events (their join was answered). */
  inRoom(roomId: string): ChatSocket[] {
    return this.members(roomChannel(roomId));
  }

  /** Chat rooms with at least one live socket here. */
  roomIds(): string[] {
    const ids: string[] = [];
    for (const name of this.server?.of('/').adapter.rooms.keys() ?? []) {
      if (name.startsWith(ROOM_PREFIX)) ids.push(name.slice(ROOM_PREFIX.length));
    }
    return ids;
  }

  /** A new connection: reachable by its user id from now on (renames, kicks). */
  register(socket: ChatSocket): void {
    void socket.join(userChannel(socket.data.user.id));
  }

  /** The socket starts receiving the room's live events. */
  subscribe(socket: ChatSocket, roomId: string): void {
    void socket.join(roomChannel(roomId));
  }

  unsubscribe(socket: ChatSocket, roomId: string): void {
    void socket.leave(roomChannel(roomId));
  }

  /** Emits to every live socket of the room here; answers how many that was. */
  toRoom<E extends ServerEvent>(roomId: string, event: E, payload: Payload<E>): number {
    if (!this.server) return 0;
    const channel = roomChannel(roomId);
    const count = this.server.of('/').adapter.rooms.get(channel)?.size ?? 0;
    if (count > 0) this.emit(this.server.to(channel), event, payload);
    return count;
  }

  /** As toRoom, but not to the user's own sockets (typing: nobody sees themselves typing). */
  toRoomExceptUser<E extends ServerEvent>(roomId: string, userId: string, event: E, payload: Payload<E>): void {
    if (this.server) this.emit(this.server.to(roomChannel(roomId)).except(userChannel(userId)), event, payload);
  }

  private members(channel: string): ChatSocket[] {
    const namespace = this.server?.of('/');
    const ids = namespace?.adapter.rooms.get(channel);
    if (!namespace || !ids) return [];
    const sockets: ChatSocket[] = [];
    for (const id of ids) {
      const socket = namespace.sockets.get(id);
      if (socket) sockets.push(socket);
    }
    return sockets;
  }

  private emit<E extends ServerEvent>(target: { emit: ChatServer['emit'] }, event: E, payload: Payload<E>): void {
    // Each server event takes one payload; the cast restates that for the generic emit.
    (target.emit as (event: E, payload: Payload<E>) => boolean).call(target, event, payload);
  }
}

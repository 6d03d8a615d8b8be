import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, User } from '@app/contracts';

/** What the gateway keeps on each socket (`socket.data`). */
export interface SocketState {
  user: User;
  sessionId: string;
  /** Rooms this socket has joined (the join was answered). */
  rooms: Set<string>;
  connectedAt: string;
}

export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;

/** The local Socket.IO room of a chat room: live messages are emitted to it. */
export const roomChannel = (roomId: string): string => `room:${roomId}`;
/** Every socket of a user on this replica (renames and kicks reach all their tabs). */
export const userChannel = (userId: string): string => `user:${userId}`;
/** The presence entry of one socket: unique across replicas and restarts. */
export const presenceEntry = (instance: string, socketId: string): string => `${instance}|${socketId}`;

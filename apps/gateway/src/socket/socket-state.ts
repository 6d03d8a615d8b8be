import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, User } from '@app/contracts';

/** What the gateway keeps on each socket (`socket.data`). */
export interface SocketState {
  user: User;
  sessionId: string;
  /** Rooms this socket has joined (the join was answered). */
  rooms: Set<string>;
  /** The client's address (behind Nginx, the first one it forwarded); set when the handshake is released. */
  address: string;
}

export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;
export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;

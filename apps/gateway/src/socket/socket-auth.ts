import type { TokenService } from '@app/auth';
import type { ChatSocket } from './socket-state';
import { randomUUID } from 'node:crypto';

/**
 * Handshake authentication (a Socket.IO middleware: Nest guards do not run on the connection).
 * A missing, malformed, forged or expired token is refused with `connect_error` "unauthorized".
 */
export function socketAuth(tokens: TokenService) {
  return (socket: ChatSocket, next: (error?: Error) => void): void => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const identity = tokens.verify(auth?.token);
    if (!identity) {
      next(new Error('unauthorized'));
      return;
    }
    socket.data.user = identity.user;
    socket.data.sessionId = randomUUID();
    socket.data.rooms = new Set();
    next();
  };
}

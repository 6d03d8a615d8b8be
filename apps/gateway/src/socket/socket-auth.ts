import { randomUUID } from 'node:crypto';
import type { TokenService } from '@app/auth';
import type { UsersRepository } from '@app/mongo';
import type { ChatSocket } from './socket-state';

/**
 * Handshake authentication (a Socket.IO middleware: Nest guards do not run on the connection).
 * A missing, malformed, forged or expired token is refused with `connect_error` "unauthorized".
 * The name is read fresh from the store: a token issued before a rename still carries the old one.
 */
export function socketAuth(tokens: TokenService, users: UsersRepository) {
  return (socket: ChatSocket, next: (error?: Error) => void): void => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const identity = tokens.verify(auth?.token);
    if (!identity) {
      next(new Error('unauthorized'));
      return;
    }
    socket.data.sessionId = randomUUID();
    socket.data.rooms = new Set();
    socket.data.connectedAt = new Date().toISOString();
    socket.data.user = identity.user;
    users
      .findById(identity.user.id)
      .then((stored) => {
        if (stored) socket.data.user = stored;
      })
      .catch(() => undefined) // the store is down: the token's name will do
      .finally(() => next());
  };
}

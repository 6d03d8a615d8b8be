import { randomUUID } from 'node:crypto';
import type { TokenService } from '@app/auth';
import type { UsersRepository } from '@app/mongo';
import type { UserBans } from '@app/redis';
import type { ChatSocket } from './socket-state';

/**
 * Handshake authentication (a Socket.IO middleware: Nest guards do not run on the connection).
 * A missing, malformed, forged or expired token is refused with `connect_error` "unauthorized".
 * The name is read fresh from the store: a token issued before a rename still carries the old one.
 */
export function socketAuth(tokens: TokenService, users: UsersRepository, bans: UserBans) {
  return (socket: ChatSocket, next: (error?: Error) => void): void => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const identity = tokens.verify(auth?.token);
    if (!identity) {
      next(new Error('unauthorized'));
      return;
    }
    socket.data.sessionId = randomUUID();
    socket.data.rooms = new Set();
    socket.data.user = identity.user;
    Promise.all([
      users
        .findById(identity.user.id)
        .then((stored) => {
          if (stored) socket.data.user = stored;
        })
        .catch(() => undefined), // the store is down: the token's name will do
      // An admin's ban refuses the handshake; with Redis down it cannot be read, and the user is let in
      // (a ban is an admin tool, not a reason to lock everyone out during an outage).
      bans.bannedUntil(identity.user.id).catch(() => null),
    ])
      .then(([, banned]) => next(banned ? new Error('forbidden') : undefined))
      .catch(() => next());
  };
}

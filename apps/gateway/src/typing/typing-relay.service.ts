import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ChatError, type TypingInput, type User } from '@app/contracts';
import { ReplicaBus } from '@app/redis';
import { LocalSockets } from '../socket/local-sockets';
import type { ChatSocket } from '../socket/socket-state';
import { TypingThrottle } from './typing-throttle';

/** A typing indicator lasts this long unless refreshed (PROTOCOL.md). */
export const TYPING_EXPIRES_MS = 5_000;

/**
 * Relays typing indicators to the room's other members on every replica; never stored. Each
 * replica expires the indicators it delivered, so a client that vanishes mid-sentence does not
 * leave "is typing" up forever.
 */
@Injectable()
export class TypingRelay implements OnApplicationBootstrap {
  private readonly throttle = new TypingThrottle();
  private readonly expiries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly sockets: LocalSockets,
    private readonly bus: ReplicaBus,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on('typing', ({ roomId, user, typing }) => this.deliver(roomId, user, typing));
  }

  async typing(socket: ChatSocket, input: TypingInput): Promise<void> {
    if (!socket.data.rooms.has(input.roomId)) throw new ChatError('forbidden', 'join the room first');
    const user = socket.data.user;
    if (!this.throttle.admit(`${user.id}|${input.roomId}`, input.typing, Date.now())) return;
    await this.bus.publish({ kind: 'typing', roomId: input.roomId, user, typing: input.typing });
  }

  private deliver(roomId: string, user: User, typing: boolean): void {
    const key = `${roomId}|${user.id}`;
    clearTimeout(this.expiries.get(key));
    this.expiries.delete(key);
    this.emit(roomId, user, typing);
    if (typing) {
      const timer = setTimeout(() => {
        this.expiries.delete(key);
        this.emit(roomId, user, false);
      }, TYPING_EXPIRES_MS);
      timer.unref();
      this.expiries.set(key, timer);
    }
  }

  /** To the room's members here, except the typist's own sockets. */
  private emit(roomId: string, user: User, typing: boolean): void {
    this.sockets.toRoomExceptUser(roomId, user.id, 'typing', { roomId, user, typing });
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, type ChatMessage, type Room, type RoomJoinInput, type User } from '@app/contracts';
import { MessagesTopic, PersistedProgress } from '@app/kafka';
import { MessagesRepository } from '@app/mongo';
import { RoomPresence } from '@app/redis';
import { LiveStream } from '../live/live-stream.service';
import { PresenceNotifier } from '../presence/presence-notifier.service';
import { presenceEntry, roomChannel, type ChatSocket } from '../socket/socket-state';
import { RoomDirectory } from './room-directory.service';

/** How long one store or Redis call of a join or leave may take. */
const DEPENDENCY_TIMEOUT_MS = 3_000;

export interface JoinAnswer {
  room: Room;
  members: User[];
  messages: ChatMessage[];
  hasMore: boolean;
}

/**
 * Joining, leaving and staying in rooms. A join follows register-then-fetch (guarantee 4): the
 * live stream starts holding the room's messages for this socket, history is read up to the
 * position the live stream had handled (waiting for the persister to get there, within a bound),
 * and the held messages follow the answer: no gap, no duplicate.
 */
@Injectable()
export class RoomMembership {
  private readonly logger = new Logger(RoomMembership.name);

  constructor(
    private readonly directory: RoomDirectory,
    private readonly presence: RoomPresence,
    private readonly notifier: PresenceNotifier,
    private readonly live: LiveStream,
    private readonly topic: MessagesTopic,
    private readonly progress: PersistedProgress,
    private readonly messages: MessagesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns the answer and what to do right after it is sent (replay held messages, go live). */
  async join(socket: ChatSocket, input: RoomJoinInput): Promise<{ answer: JoinAnswer; goLive: () => void }> {
    const { roomId, since } = input;
    await this.guard(() => this.directory.require(roomId));
    const user = socket.data.user;
    if (this.config.chat.singleRoomPolicy) {
      // One room at a time: joining another leaves the previous one first.
      for (const other of [...socket.data.rooms]) if (other !== roomId) await this.leave(socket, other);
    }
    const entry = presenceEntry(this.config.instanceId, socket.id);
    const admitted = await this.guard(() => this.presence.join(roomId, entry, user, this.config.chat.roomCapacity));
    if (admitted === 'full') throw new ChatError('room_full', `room ${roomId} is full`);

    // A re-join gets history again; until it is answered its live messages are held, not sent.
    void socket.leave(roomChannel(roomId));
    const partition = this.topic.partitionOf(roomId);
    const buffer = this.live.beginJoin(roomId, partition);
    try {
      const { joinWaitMs } = this.config.chat;
      await this.guard(() => this.progress.waitFor(partition, buffer.untilSeq, joinWaitMs), joinWaitMs + 1000);
      const page = await this.guard(() =>
        since !== undefined
          ? this.messages.range(roomId, since, buffer.untilSeq, this.config.chat.joinPageSize)
          : this.messages.newest(roomId, buffer.untilSeq, this.config.chat.historyPageSize),
      );
      const members = await this.guard(() => this.presence.members(roomId));
      const room = await this.guard(() => this.directory.view(roomId, members.length));
      const answer: JoinAnswer = { room, members, messages: page.messages, hasMore: page.hasMore };
      const goLive = () => {
        const lastSeq = page.messages.at(-1)?.seq ?? 0;
        const held = buffer.drain(lastSeq);
        this.live.endJoin(buffer);
        for (const message of held) socket.emit('message', { message });
        void socket.join(roomChannel(roomId));
        socket.data.rooms.add(roomId);
        if (admitted === 'added') void this.notifier.announce(roomId, 'join', user, members);
      };
      return { answer, goLive };
    } catch (error) {
      this.live.endJoin(buffer);
      if (!socket.data.rooms.has(roomId)) await this.guard(() => this.presence.leave(roomId, entry)).catch(() => undefined);
      else void socket.join(roomChannel(roomId));
      throw error;
    }
  }

  async leave(socket: ChatSocket, roomId: string): Promise<void> {
    if (!socket.data.rooms.has(roomId)) {
      await this.guard(() => this.directory.require(roomId));
      return; // leaving a room one is not in is a no-op, like leaving twice
    }
    void socket.leave(roomChannel(roomId));
    socket.data.rooms.delete(roomId);
    await this.removeEntry(socket, roomId);
  }

  /** A closed connection leaves all its rooms (its entries would also expire by themselves). */
  async disconnected(socket: ChatSocket): Promise<void> {
    const rooms = [...(socket.data.rooms ?? [])];
    socket.data.rooms?.clear();
    await Promise.allSettled(rooms.map((roomId) => this.removeEntry(socket, roomId)));
  }

  private async removeEntry(socket: ChatSocket, roomId: string): Promise<void> {
    const user = socket.data.user;
    await this.guard(() => this.presence.leave(roomId, presenceEntry(this.config.instanceId, socket.id)));
    const members = await this.guard(() => this.presence.members(roomId));
    // Another tab of the same user keeps them in the room: no leave notice then.
    if (!members.some((m) => m.id === user.id)) await this.notifier.announce(roomId, 'leave', user, members);
  }

  /**
   * Every dependency call of a membership operation is bounded: a store or Redis that hangs makes
   * the client get `unavailable` (and retry) instead of no answer at all.
   */
  private async guard<T>(op: () => Promise<T>, timeoutMs = DEPENDENCY_TIMEOUT_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        op(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      if (error instanceof ChatError) throw error;
      this.logger.warn(`dependency failed: ${(error as Error).message}`);
      throw new ChatError('unavailable', 'a dependency is unavailable; retry later', 1000);
    } finally {
      clearTimeout(timer);
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, type ChatMessage, type Room, type RoomJoinInput, type User } from '@app/contracts';
import { MessagesTopic } from '@app/kafka';
import { toRoom } from '@app/mongo';
import { presenceEntry, RoomPresence } from '@app/redis';
import { callDependency } from '@app/resilience';
import { LiveStream } from '../live/live-stream.service';
import { PresenceNotifier } from '../presence/presence-notifier.service';
import { LocalSockets } from '../socket/local-sockets';
import type { ChatSocket } from '../socket/socket-state';
import { JoinHistory } from './join-history.service';
import { RoomDirectory } from './room-directory.service';

export interface JoinAnswer {
  room: Room;
  members: User[];
  messages: ChatMessage[];
  hasMore: boolean;
}

/**
 * Joining, leaving and staying in rooms. A join follows register-then-fetch (guarantee 4): the
 * live stream starts holding the room's messages for this socket, the room's messages are read up
 * to the position the live stream had handled (JoinHistory: from memory, or from history once the
 * persister got there), and the held messages follow the answer: no gap, no duplicate.
 */
@Injectable()
export class RoomMembership {
  constructor(
    private readonly directory: RoomDirectory,
    private readonly presence: RoomPresence,
    private readonly notifier: PresenceNotifier,
    private readonly live: LiveStream,
    private readonly sockets: LocalSockets,
    private readonly topic: MessagesTopic,
    private readonly history: JoinHistory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns the answer and what to do right after it is sent (replay held messages, go live). */
  async join(socket: ChatSocket, input: RoomJoinInput): Promise<{ answer: JoinAnswer; goLive: () => void }> {
    const { roomId, since } = input;
    // Cached for a few seconds: a busy room's joins do not each read the store for its name and counts.
    const stored = await this.directory.require(roomId);
    const user = socket.data.user;
    if (this.config.chat.singleRoomPolicy) {
      // One room at a time: joining another leaves the previous one first.
      for (const other of [...socket.data.rooms]) if (other !== roomId) await this.leave(socket, other);
    }
    const entry = presenceEntry(this.config.instanceId, socket.id);
    const { admitted, members } = await callDependency('redis', () => this.presence.join(roomId, entry, user, this.config.chat.roomCapacity));
    if (admitted === 'full') throw new ChatError('room_full', `room ${roomId} is full`);

    // A re-join gets history again; until it is answered its live messages are held, not sent.
    this.sockets.unsubscribe(socket, roomId);
    const partition = this.topic.partitionOf(roomId);
    const buffer = this.live.beginJoin(roomId, partition);
    try {
      const historyNeeded = this.live.historyNeeded(roomId, partition, buffer.untilSeq);
      const page = await this.history.page(roomId, partition, since, buffer.untilSeq, historyNeeded);
      const room = toRoom(stored, members.length);
      const answer: JoinAnswer = { room, members, messages: page.messages, hasMore: page.hasMore };
      const goLive = () => {
        const lastSeq = page.messages.at(-1)?.seq ?? 0;
        const held = buffer.drain(lastSeq);
        this.live.endJoin(buffer);
        for (const message of held) socket.emit('message', { message });
        this.sockets.subscribe(socket, roomId);
        socket.data.rooms.add(roomId);
        if (admitted === 'added') void this.notifier.announce(roomId, 'join', user, members);
      };
      return { answer, goLive };
    } catch (error) {
      this.live.endJoin(buffer);
      if (!socket.data.rooms.has(roomId)) await callDependency('redis', () => this.presence.leave(roomId, entry)).catch(() => undefined);
      else {
        // Still a member: what arrived while it was unsubscribed for the re-join was only held
        // (everything up to untilSeq reached it live before), so it goes out before live resumes.
        for (const message of buffer.drain(buffer.untilSeq)) socket.emit('message', { message });
        this.sockets.subscribe(socket, roomId);
      }
      throw error;
    }
  }

  async leave(socket: ChatSocket, roomId: string): Promise<void> {
    if (!socket.data.rooms.has(roomId)) {
      await this.directory.require(roomId);
      return; // leaving a room one is not in is a no-op, like leaving twice
    }
    this.sockets.unsubscribe(socket, roomId);
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
    const members = await callDependency('redis', () => this.presence.leave(roomId, presenceEntry(this.config.instanceId, socket.id)));
    // Another tab of the same user keeps them in the room: no leave notice then.
    if (!members.some((m) => m.id === user.id)) await this.notifier.announce(roomId, 'leave', user, members);
  }
}

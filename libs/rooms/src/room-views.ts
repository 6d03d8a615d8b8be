import { Injectable } from '@nestjs/common';
import { ChatError, type Room, type RoomStats } from '@app/contracts';
import { MessagesRepository, RoomsRepository, toRoom } from '@app/mongo';
import { RoomPresence } from '@app/redis';
import { callDependency } from '@app/resilience';

/**
 * Rooms as users see them, the same through REST (api) and Socket.IO (gateway): the stored facts
 * (MongoDB) joined with who is there now (Redis presence). Counts are read fresh every time.
 */
@Injectable()
export class RoomViews {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly presence: RoomPresence,
  ) {}

  async list(): Promise<Room[]> {
    const docs = await callDependency('mongo', () => this.rooms.list(), { what: 'listing rooms' });
    const members = await callDependency('redis', () => this.presence.membersOf(docs.map((d) => d._id)));
    return docs.map((d) => toRoom(d, members.get(d._id)?.length ?? 0));
  }

  /** One room with its statistics (`GET /api/rooms/:id`), or `not_found`. */
  async withStats(roomId: string): Promise<Room & RoomStats> {
    const doc = await callDependency('mongo', () => this.rooms.findById(roomId), { what: 'reading a room' });
    if (!doc) throw new ChatError('not_found', `room ${roomId} does not exist`);
    const [members, participantCount] = await Promise.all([
      callDependency('redis', () => this.presence.members(roomId)),
      callDependency('mongo', () => this.messages.countDistinctSenders(roomId), { what: 'counting senders' }),
    ]);
    return {
      ...toRoom(doc, members.length),
      participantCount,
      lastActivityAt: doc.lastActivityAt ? doc.lastActivityAt.toISOString() : null,
    };
  }
}

import { Injectable } from '@nestjs/common';
import type { Room, RoomStats } from '@app/contracts';
import { MessagesRepository, RoomsRepository, toRoom } from '@app/mongo';
import { RoomPresence } from '@app/redis';

/** Rooms as the API shows them: stored facts (Mongo) joined with who is there now (Redis). */
@Injectable()
export class RoomViewsService {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly presence: RoomPresence,
  ) {}

  async list(): Promise<Room[]> {
    const docs = await this.rooms.list();
    const members = await this.presence.membersOf(docs.map((d) => d._id));
    return docs.map((d) => toRoom(d, members.get(d._id)?.length ?? 0));
  }

  async get(roomId: string): Promise<(Room & RoomStats) | undefined> {
    const doc = await this.rooms.findById(roomId);
    if (!doc) return undefined;
    const [members, participantCount] = await Promise.all([
      this.presence.members(roomId),
      this.messages.countDistinctSenders(roomId),
    ]);
    return {
      ...toRoom(doc, members.length),
      participantCount,
      lastActivityAt: doc.lastActivityAt ? doc.lastActivityAt.toISOString() : null,
    };
  }
}

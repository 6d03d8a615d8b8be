import { Injectable } from '@nestjs/common';
import { ChatError, type Room, type User } from '@app/contracts';
import { RoomsRepository, toRoom, type RoomDocument } from '@app/mongo';
import { RoomPresence } from '@app/redis';

/** Known rooms are cached briefly: every join and send would otherwise read MongoDB. */
const CACHE_MS = 30_000;

@Injectable()
export class RoomDirectory {
  private readonly cache = new Map<string, { doc: RoomDocument; at: number }>();

  constructor(
    private readonly rooms: RoomsRepository,
    private readonly presence: RoomPresence,
  ) {}

  async create(name: string, createdBy: User): Promise<Room> {
    const doc = await this.rooms.create(name, createdBy);
    this.cache.set(doc._id, { doc, at: Date.now() });
    return toRoom(doc, 0);
  }

  /** The stored room, or `not_found`. */
  async require(roomId: string): Promise<RoomDocument> {
    const hit = this.cache.get(roomId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.doc;
    const doc = await this.rooms.findById(roomId).catch(() => {
      throw new ChatError('unavailable', 'rooms cannot be read now; retry later', 1000);
    });
    if (!doc) throw new ChatError('not_found', `room ${roomId} does not exist`);
    this.cache.set(roomId, { doc, at: Date.now() });
    return doc;
  }

  /** The room with fresh counts (the cached document's messageCount may be behind). */
  async view(roomId: string, memberCount: number): Promise<Room> {
    const doc = await this.rooms.findById(roomId);
    if (!doc) throw new ChatError('not_found', `room ${roomId} does not exist`);
    return toRoom(doc, memberCount);
  }

  async list(): Promise<Room[]> {
    const docs = await this.rooms.list();
    const members = await this.presence.membersOf(docs.map((d) => d._id));
    return docs.map((d) => toRoom(d, members.get(d._id)?.length ?? 0));
  }

  forget(roomId: string): void {
    this.cache.delete(roomId);
  }
}

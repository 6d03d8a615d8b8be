import { Injectable } from '@nestjs/common';
import { ChatError, type Room, type User } from '@app/contracts';
import { RoomsRepository, toRoom, type RoomDocument } from '@app/mongo';
import { callDependency } from '@app/resilience';

/**
 * Known rooms are cached briefly: every join would otherwise read MongoDB. Short, because a join
 * answers with the room's messageCount (which the persister itself updates about once a second).
 */
const CACHE_MS = 5_000;

/**
 * Rooms as the gateway's operations need them: created here, and known to exist (cached, so a
 * join does not read the store twice). What users are shown of a room comes from RoomViews.
 */
@Injectable()
export class RoomDirectory {
  private readonly cache = new Map<string, { doc: RoomDocument; at: number }>();

  constructor(private readonly rooms: RoomsRepository) {}

  async create(name: string, createdBy: User): Promise<Room> {
    const doc = await callDependency('mongo', () => this.rooms.create(name, createdBy), { what: 'creating a room' });
    this.cache.set(doc._id, { doc, at: Date.now() });
    return toRoom(doc, 0);
  }

  /**
   * The stored room, or `not_found`. A room known here is still answered, as last read, while
   * the store cannot be read (a deleted room is forgotten at once through the bus, not by expiry).
   */
  async require(roomId: string): Promise<RoomDocument> {
    const hit = this.cache.get(roomId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.doc;
    const doc = await callDependency('mongo', () => this.rooms.findById(roomId), { what: 'reading a room' }).catch((error: unknown) => {
      if (hit && error instanceof ChatError && error.code === 'unavailable') return hit.doc;
      throw error;
    });
    if (!doc) throw new ChatError('not_found', `room ${roomId} does not exist`);
    this.cache.set(roomId, { doc, at: Date.now() });
    return doc;
  }

  forget(roomId: string): void {
    this.cache.delete(roomId);
  }
}

import { Injectable } from '@nestjs/common';
import { ChatError, type Room, type User } from '@app/contracts';
import { RoomsRepository, toRoom, type RoomDocument } from '@app/mongo';
import { callDependency, InFlight } from '@app/resilience';

/**
 * How long a stored room is answered as read before it is read again. Short, because a join
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
  /** One store read per room at a time: the joins of a room that arrive together share it. */
  private readonly reading = new InFlight();
  /** Rooms forgotten so far: a read that saw one forgotten meanwhile keeps nothing (it may predate the deletion). */
  private forgotten = 0;

  constructor(private readonly rooms: RoomsRepository) {}

  async create(name: string, createdBy: User): Promise<Room> {
    const doc = await callDependency('mongo', () => this.rooms.create(name, createdBy), { what: 'creating a room' });
    this.cache.set(doc._id, { doc, at: Date.now() });
    return toRoom(doc, 0);
  }

  /**
   * The stored room, or `not_found`. A room known here is answered at once, as last read: once
   * that read is CACHE_MS old, it is read again in the background for the joins after this one
   * (when the join waited for that read, one join in ~30 of a busy room on each replica waited for
   * the store: join p95 19–29 ms against 16–17 without, docs/benchmarks.md). While the store
   * cannot be read, it keeps being answered as last read; a deleted room is forgotten at once
   * through the bus, not by expiry.
   */
  async require(roomId: string): Promise<RoomDocument> {
    const hit = this.cache.get(roomId);
    if (!hit) return this.read(roomId);
    if (Date.now() - hit.at >= CACHE_MS) void this.read(roomId).catch(() => undefined);
    return hit.doc;
  }

  forget(roomId: string): void {
    this.cache.delete(roomId);
    this.forgotten++;
  }

  private read(roomId: string): Promise<RoomDocument> {
    return this.reading.share(roomId, async () => {
      const forgotten = this.forgotten;
      const doc = await callDependency('mongo', () => this.rooms.findById(roomId), { what: 'reading a room' });
      if (!doc) {
        this.cache.delete(roomId);
        throw new ChatError('not_found', `room ${roomId} does not exist`);
      }
      // Deletions are rare: after any during the read, this read is not kept.
      if (this.forgotten === forgotten) this.cache.set(roomId, { doc, at: Date.now() });
      return doc;
    });
  }
}

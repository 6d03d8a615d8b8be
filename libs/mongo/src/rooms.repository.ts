import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Room, User } from '@app/contracts';
import { COLLECTIONS, type RoomDocument } from './documents';
import { MONGO_DB } from './mongo.tokens';

/** Short, URL-safe, unguessable enough for a room id (60 random bits). */
export function newRoomId(): string {
  return randomBytes(8).toString('base64url').slice(0, 10);
}

@Injectable()
export class RoomsRepository {
  private readonly rooms: Collection<RoomDocument>;
  /** Server-side limit of every read (maxTimeMS). */
  private readonly readTimeoutMs: number;

  constructor(@Inject(MONGO_DB) db: Db, @Inject(APP_CONFIG) config: AppConfig) {
    this.rooms = db.collection<RoomDocument>(COLLECTIONS.rooms);
    this.readTimeoutMs = config.mongo.queryTimeoutMs;
  }

  async create(name: string, createdBy: User): Promise<RoomDocument> {
    const doc: RoomDocument = {
      _id: newRoomId(),
      name,
      createdAt: new Date(),
      createdBy,
      messageCount: 0,
      lastActivityAt: null,
      history: 'none',
    };
    await this.rooms.insertOne(doc);
    return doc;
  }

  findById(id: string): Promise<RoomDocument | null> {
    return this.rooms.findOne({ _id: id }, { maxTimeMS: this.readTimeoutMs });
  }

  list(limit = 500): Promise<RoomDocument[]> {
    return this.rooms.find({}).sort({ createdAt: -1 }).limit(limit).maxTimeMS(this.readTimeoutMs).toArray();
  }

  /** Rooms never written to, created before `cutoff`: candidates for the empty-room TTL. */
  findUnusedBefore(cutoff: Date, limit = 200): Promise<RoomDocument[]> {
    // By the (history, createdAt) index: the cost follows the rooms without history, not all rooms
    // (the old filter on messageCount read every room on each sweep: 76-125 ms at 1,729 rooms on FerretDB).
    return this.rooms.find({ history: 'none', messageCount: 0, createdAt: { $lt: cutoff } }).limit(limit).toArray();
  }

  /**
   * Marks the empty rooms stored before the `history` field existed, so the reaper still finds
   * them. Rooms with messages need no mark (the reaper looks only for 'none'; their next statistics
   * write sets 'some'). Run at start-up; after the first run it finds none.
   */
  async markRoomsWithoutHistory(): Promise<number> {
    return (await this.rooms.updateMany({ history: { $exists: false }, messageCount: 0 }, { $set: { history: 'none' } })).modifiedCount;
  }

  /** Deletes a room only if it still has no message (a message may have landed meanwhile). */
  async deleteIfUnused(id: string): Promise<boolean> {
    return (await this.rooms.deleteOne({ _id: id, messageCount: 0 })).deletedCount === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.rooms.deleteOne({ _id: id })).deletedCount === 1;
  }

  /** Adds newly stored messages to each room's count and moves its last activity forward. */
  async recordMessages(perRoom: Map<string, { count: number; lastAt: Date }>): Promise<void> {
    if (perRoom.size === 0) return;
    const ops: AnyBulkWriteOperation<RoomDocument>[] = [...perRoom].map(([roomId, { count, lastAt }]) => ({
      updateOne: { filter: { _id: roomId }, update: { $inc: { messageCount: count }, $max: { lastActivityAt: lastAt }, $set: { history: 'some' } } },
    }));
    await this.rooms.bulkWrite(ops, { ordered: false });
  }
}

/** The protocol's `room` shape from its stored document and the live member count. */
export function toRoom(doc: RoomDocument, memberCount: number): Room {
  return {
    id: doc._id,
    name: doc.name,
    createdAt: doc.createdAt.toISOString(),
    createdBy: doc.createdBy,
    memberCount,
    messageCount: doc.messageCount,
  };
}

import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { User } from '@app/contracts';
import { COLLECTIONS, type UserDocument } from './documents';
import { MONGO_DB } from './mongo.tokens';

const DUPLICATE_KEY = 11000;

export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

@Injectable()
export class UsersRepository {
  private readonly users: Collection<UserDocument>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.users = db.collection<UserDocument>(COLLECTIONS.users);
  }

  /** The user who owns this name, created on first use: a name always maps to the same id. */
  async findOrCreate(username: string): Promise<User> {
    const key = usernameKey(username);
    const existing = await this.users.findOne({ usernameKey: key });
    if (existing) return { id: existing._id, username: existing.username };
    const doc: UserDocument = { _id: `u_${randomBytes(8).toString('base64url')}`, username, usernameKey: key, createdAt: new Date() };
    try {
      await this.users.insertOne(doc);
      return { id: doc._id, username };
    } catch (error) {
      // Two first logins with one name at once: the unique index picks one, both get it.
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
        const winner = await this.users.findOne({ usernameKey: key });
        if (winner) return { id: winner._id, username: winner.username };
      }
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    const doc = await this.users.findOne({ _id: id });
    return doc ? { id: doc._id, username: doc.username } : null;
  }

  /** Renames a user; false when another user already has the name. */
  async rename(id: string, username: string): Promise<boolean> {
    // Checked first because FerretDB 1.24 reports a unique-index violation on update as an
    // InternalError, not 11000. The unique index still settles a race between two renames.
    const holder = await this.users.findOne({ usernameKey: usernameKey(username) });
    if (holder && holder._id !== id) return false;
    try {
      const result = await this.users.updateOne({ _id: id }, { $set: { username, usernameKey: usernameKey(username) } });
      return result.matchedCount === 1;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }
}

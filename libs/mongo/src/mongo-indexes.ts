import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Db } from 'mongodb';
import { COLLECTIONS } from './documents';
import { MONGO_DB } from './mongo.tokens';

/**
 * The indexes every query and guarantee relies on, created at start-up (idempotent):
 * - messages (roomId, seq) unique: history paging, and one message per position;
 * - messages (roomId, clientMsgId) unique: a retried send is stored once;
 * - users usernameKey unique: the same username always maps to the same user;
 * - rooms (history, createdAt): the empty-room reaper reads only rooms without history.
 */
@Injectable()
export class MongoIndexes implements OnModuleInit {
  private readonly logger = new Logger(MongoIndexes.name);

  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  async onModuleInit(): Promise<void> {
    await this.db.collection(COLLECTIONS.messages).createIndex({ roomId: 1, seq: 1 }, { unique: true, name: 'room_seq' });
    await this.db
      .collection(COLLECTIONS.messages)
      .createIndex({ roomId: 1, clientMsgId: 1 }, { unique: true, name: 'room_client_msg' });
    await this.db.collection(COLLECTIONS.users).createIndex({ usernameKey: 1 }, { unique: true, name: 'username_key' });
    await this.db.collection(COLLECTIONS.rooms).createIndex({ createdAt: -1 }, { name: 'created_at' });
    await this.db.collection(COLLECTIONS.rooms).createIndex({ history: 1, createdAt: 1 }, { name: 'history_created_at' });
    this.logger.log('indexes ready');
  }
}

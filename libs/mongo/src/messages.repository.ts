import { Inject, Injectable } from '@nestjs/common';
import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { ChatMessage } from '@app/contracts';
import { COLLECTIONS, toMessage, type MessageDocument } from './documents';
import { MONGO_DB } from './mongo.tokens';

export interface PageQuery {
  limit: number;
  before?: number;
  after?: number;
}

export interface BatchWriteResult {
  /** Messages this write stored for the first time (redeliveries are not counted). */
  inserted: MessageDocument[];
  /** Messages a unique index refused: already stored (a redelivery, or a retried send). */
  alreadyStored: MessageDocument[];
}

const DUPLICATE_KEY = 11000;

@Injectable()
export class MessagesRepository {
  private readonly messages: Collection<MessageDocument>;
  /** Server-side limit of every read (maxTimeMS): a slow query fails instead of piling up. */
  private readonly readTimeoutMs: number;

  constructor(@Inject(MONGO_DB) db: Db, @Inject(APP_CONFIG) config: AppConfig) {
    this.messages = db.collection<MessageDocument>(COLLECTIONS.messages);
    this.readTimeoutMs = config.mongo.queryTimeoutMs;
  }

  /**
   * One unordered insert of the whole batch. Idempotent by the unique indexes: a message already
   * stored (same id after a redelivery, or same (roomId, clientMsgId) after a retried send) is
   * refused with a duplicate-key error and counted as stored; the others are written. Any other
   * error is thrown for the caller to retry the batch, which is then safe for the same reason.
   * (Inserts, not upserts: FerretDB runs an upsert per document and was ~25x slower here.)
   */
  async insertBatch(batch: MessageDocument[]): Promise<BatchWriteResult> {
    // Two records of one send in one batch: the first in log order is the message (RetryWindow's
    // rule on the gateways); an unordered insert would not say which of the two the index keeps.
    const { docs, repeats } = firstOfEachSend(batch);
    if (docs.length === 0) return { inserted: [], alreadyStored: repeats };
    try {
      await this.messages.insertMany(docs, { ordered: false });
      return { inserted: docs, alreadyStored: repeats };
    } catch (error) {
      const refused = refusedAsDuplicates(error, docs.length);
      if (!refused) throw error;
      return {
        inserted: docs.filter((_, i) => !refused.has(i)),
        alreadyStored: [...docs.filter((_, i) => refused.has(i)), ...repeats],
      };
    }
  }

  /** History paging of PROTOCOL.md; answers oldest first with whether more remain that way. */
  async page(roomId: string, query: PageQuery): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const { limit, before, after } = query;
    if (after !== undefined) {
      const docs = await this.messages.find({ roomId, seq: { $gt: after } }).sort({ seq: 1 }).limit(limit + 1).maxTimeMS(this.readTimeoutMs).toArray();
      return { messages: docs.slice(0, limit).map(toMessage), hasMore: docs.length > limit };
    }
    const filter = before !== undefined ? { roomId, seq: { $lt: before } } : { roomId };
    const docs = await this.messages.find(filter).sort({ seq: -1 }).limit(limit + 1).maxTimeMS(this.readTimeoutMs).toArray();
    return { messages: docs.slice(0, limit).reverse().map(toMessage), hasMore: docs.length > limit };
  }

  /** Messages with since < seq <= until, oldest first, at most `limit` (one more tells hasMore). */
  async range(roomId: string, since: number, until: number, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const docs = await this.messages
      .find({ roomId, seq: { $gt: since, $lte: until } })
      .sort({ seq: 1 })
      .limit(limit + 1)
      .maxTimeMS(this.readTimeoutMs)
      .toArray();
    return { messages: docs.slice(0, limit).map(toMessage), hasMore: docs.length > limit };
  }

  /** The newest `limit` messages with seq <= until, oldest first. */
  async newest(roomId: string, until: number, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const docs = await this.messages.find({ roomId, seq: { $lte: until } }).sort({ seq: -1 }).limit(limit + 1).maxTimeMS(this.readTimeoutMs).toArray();
    return { messages: docs.slice(0, limit).reverse().map(toMessage), hasMore: docs.length > limit };
  }

  /** Whether the room has any stored message (its stored count may lag by a second: RoomStats). */
  async hasMessages(roomId: string): Promise<boolean> {
    return (await this.messages.findOne({ roomId }, { projection: { _id: 1 }, maxTimeMS: this.readTimeoutMs })) !== null;
  }

  async countDistinctSenders(roomId: string): Promise<number> {
    // No maxTimeMS here: FerretDB 1.24 refuses it on distinct ("unknown field"); the api's
    // StoreAdmission still bounds how many of these run.
    return (await this.messages.distinct('user.id', { roomId })).length;
  }
}

/**
 * The positions an unordered insert of `attempted` documents refused as already stored, when that
 * is all that went wrong and every other document was written; null when the error says anything
 * else, and the batch must be retried. The driver throws MongoBulkWriteError for more than write
 * errors: a connection that failed mid-insert (the store killed) comes as one too, with no write
 * errors at all. Taken for "all duplicates", that once acknowledged a batch the store never wrote
 * (the persister committed past it and the messages were lost: test/e2e/chaos.e2e-spec.ts).
 */
export function refusedAsDuplicates(error: unknown, attempted: number): Set<number> | null {
  if (!(error instanceof MongoBulkWriteError)) return null;
  const writeErrors = [error.writeErrors].flat();
  if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) return null;
  const refused = new Set(writeErrors.map((e) => e.index));
  return error.insertedCount === attempted - refused.size ? refused : null;
}

/** Splits a batch (in log order) into the first document of each (roomId, clientMsgId) and the later ones. */
export function firstOfEachSend(batch: MessageDocument[]): { docs: MessageDocument[]; repeats: MessageDocument[] } {
  const seen = new Set<string>();
  const docs: MessageDocument[] = [];
  const repeats: MessageDocument[] = [];
  for (const doc of batch) {
    const key = `${doc.roomId}\u0000${doc.clientMsgId}`;
    if (seen.has(key)) repeats.push(doc);
    else {
      seen.add(key);
      docs.push(doc);
    }
  }
  return { docs, repeats };
}

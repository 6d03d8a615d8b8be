import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { GroupMembership, KAFKA_CLIENT, MessagesTopic, PERSISTER_GROUP_ID, restartAfterCrashes } from '@app/kafka';
import { decodeChatRecord } from '@app/contracts';
import { MessagesRepository, RoomsRepository, toDocument, type MessageDocument } from '@app/mongo';
import { ChatMetrics, type DependencyProbe } from '@app/observability';
import { DeadLetters, type DeadLetter } from './dead-letters';
import { InsertCoalescer } from './insert-coalescer';
import { RoomStats, type RoomCounts } from './room-stats';

const MAX_BACKOFF_MS = 5_000;
/** How long a batch waits for the other partitions' batches of the same fetch, to share one insert. */
const INSERT_LINGER_MS = 3;
/** Room statistics are stored at most this often (RoomStats). */
const ROOM_STATS_INTERVAL_MS = 1_000;

/**
 * Writes the chat stream to MongoDB (guarantees 1 and 3). Each chunk of a batch is one unordered
 * insert, idempotent by the unique message id; the partition's offset is committed only after
 * MongoDB acknowledged it, so a crash or rebalance re-delivers at most what was not committed,
 * and re-writing it changes nothing. While MongoDB is down the chunk is retried with backoff,
 * heartbeating so the group keeps the partition. The partitions of a fetch are handled at once and
 * their inserts merged into one (InsertCoalescer); room statistics are stored once a second
 * (RoomStats): fewer, larger store writes.
 */
/** Whether this process is a member of the persister group (set by MessagesConsumer). */
const membership = new GroupMembership();

/** Readiness of the persister's consumer: down until it has joined its group. */
@Injectable()
export class PersisterGroupProbe implements DependencyProbe {
  readonly name = 'consumer';

  probe(): Promise<void> {
    return membership.joined ? Promise.resolve() : Promise.reject(new Error(`not (yet) a member of group ${PERSISTER_GROUP_ID}`));
  }
}

@Injectable()
export class MessagesConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MessagesConsumer.name);
  private readonly consumer: Consumer;
  private readonly inserts: InsertCoalescer;
  private readonly roomStats: RoomStats;
  private statsTimer: NodeJS.Timeout | undefined;
  private stopRestarts: (() => void) | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly topic: MessagesTopic,
    private readonly messages: MessagesRepository,
    private readonly rooms: RoomsRepository,
    private readonly deadLetters: DeadLetters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
  ) {
    this.consumer = kafka.consumer({
      groupId: PERSISTER_GROUP_ID,
      // A persister that died (SIGKILL, no leave-group) holds its partitions until its session
      // expires: history stops for that long. 8 s (was 30) brings a restarted persister back in
      // ~10 s. It heartbeats after every chunk and between write retries (at most 5 s apart);
      // a write that hangs longer costs a rebalance, and the redelivery is idempotent.
      sessionTimeout: 8_000,
      heartbeatInterval: 2_000,
      // A fetch waits for some data instead of answering every new record alone: fewer, larger
      // store writes, for at most the wait more before a message is in history.
      minBytes: config.persister.fetch.minBytes,
      maxWaitTimeInMs: config.persister.fetch.maxWaitMs,
      allowAutoTopicCreation: false,
    });
    this.inserts = new InsertCoalescer(
      (docs) => {
        this.metrics.persistBatchSize.observe(docs.length);
        return this.messages.insertBatch(docs);
      },
      INSERT_LINGER_MS,
      config.persister.batchMax,
    );
    this.roomStats = new RoomStats((counts) => this.rooms.recordMessages(counts));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.topic.ensure();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic.name, fromBeginning: true });
    this.statsTimer = setInterval(() => void this.flushRoomStats(), ROOM_STATS_INTERVAL_MS);
    membership.follow(this.consumer, () => this.logger.log(`persisting ${this.topic.name} as group ${PERSISTER_GROUP_ID}`));
    const run = () =>
      this.consumer.run({
        autoCommit: false,
        // Every partition of a fetch at once, so that their inserts can share one store write.
        partitionsConsumedConcurrently: this.topic.partitions,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.onBatch(payload),
      });
    // A crash kafkajs does not restart by itself would stop history for good: run it again.
    this.stopRestarts = restartAfterCrashes(this.consumer, { run, log: (message) => this.logger.warn(message) });
    // Not awaited: the HTTP server (and /health/live) must not wait for the group. After a crash
    // the group takes a new member only once the dead one's session expired (up to the session
    // timeout); meanwhile /health reports the consumer down (PersisterGroupProbe).
    run().catch((error: Error) => {
      this.logger.error(`the consumer did not start: ${error.message}`);
      process.exit(1);
    });
  }

  /** Stops taking batches: the one in progress finishes and commits, then the group is left. */
  async onModuleDestroy(): Promise<void> {
    this.stopRestarts?.();
    await this.consumer.disconnect();
    clearInterval(this.statsTimer);
    await this.flushRoomStats();
  }

  private async flushRoomStats(): Promise<void> {
    try {
      await this.roomStats.flush();
    } catch (error) {
      this.logger.warn(`room statistics not stored, kept for the next try: ${(error as Error).message}`);
    }
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs hands closures, typed as methods (its docs destructure them)
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const size = this.config.persister.batchMax;
    for (let start = 0; start < batch.messages.length; start += size) {
      const chunk = batch.messages.slice(start, start + size);
      const docs: MessageDocument[] = [];
      const letters: DeadLetter[] = [];
      for (const record of chunk) {
        const decoded = decodeChatRecord(record.key, record.value, record.offset);
        if (decoded.ok) docs.push(toDocument(decoded.message, batch.partition, record.offset));
        else letters.push({ partition: batch.partition, offset: record.offset, key: record.key, value: record.value, reason: decoded.reason });
      }
      // Two steps, each retried on its own, so a MongoDB outage does not re-send dead letters.
      const control = { heartbeat, isRunning, isStale };
      const written =
        (await this.untilDone(() => this.deadLetter(letters), control)) && (await this.untilDone(() => this.write(docs), control));
      if (!written) return; // shutting down or partition moved: leave it uncommitted for the next owner
      const last = chunk[chunk.length - 1]!.offset;
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      resolveOffset(last);
      this.metrics.consumerLag.set({ consumer: 'persister', partition: String(batch.partition) }, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n));
      await heartbeat();
    }
  }

  private async deadLetter(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.deadLetters.send(letters);
    this.metrics.deadLetters.inc(letters.length);
    for (const l of letters) this.logger.warn(`dead-lettered partition ${l.partition} offset ${l.offset}: ${l.reason}`);
  }

  private async write(docs: MessageDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const started = performance.now();
    const { inserted, alreadyStored } = await this.inserts.insert(docs);
    if (alreadyStored.length > 0) this.logger.log(`${alreadyStored.length} message(s) were already stored (redelivery or retried send)`);
    const perRoom: RoomCounts = new Map();
    for (const doc of inserted) {
      const entry = perRoom.get(doc.roomId) ?? { count: 0, lastAt: new Date(0) };
      entry.count += 1;
      const at = new Date(doc.sentAt);
      if (at > entry.lastAt) entry.lastAt = at;
      perRoom.set(doc.roomId, entry);
    }
    this.roomStats.add(perRoom);
    this.metrics.persistLatency.observe((performance.now() - started) / 1000);
    this.metrics.messagesPersisted.inc(inserted.length);
  }

  /** Retries with capped exponential backoff until the write succeeds or this owner must stop. */
  private async untilDone(
    op: () => Promise<void>,
    batch: Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!batch.isRunning() || batch.isStale()) return false;
      try {
        await op();
        return true;
      } catch (error) {
        const delay = Math.min(100 * 2 ** attempt, MAX_BACKOFF_MS);
        this.logger.warn(`write failed (attempt ${attempt + 1}), retrying in ${delay} ms: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
        await batch.heartbeat().catch(() => undefined);
      }
    }
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { decodeChatRecord, type ChatMessage } from '@app/contracts';
import { commitGroupStart, KAFKA_CLIENT, MessagesTopic, retryRetriable } from '@app/kafka';
import { ChatMetrics } from '@app/observability';
import { LocalSockets } from '../socket/local-sockets';
import { JoinBuffer } from './join-buffer';
import { RoomTails } from './room-tails';

/**
 * This replica's reader of the whole chat topic: every partition, from the end it finds at start,
 * emitted to its own sockets in each room (Socket.IO `local` rooms; no second broadcast channel).
 *
 * kafkajs has no manual partition assignment, so the stream is a consumer group of one with a
 * group id unique to this process, started at the end offsets read at start-up and never
 * committing afterwards (a restarted replica's clients recover with `since`). Knowing the exact
 * start makes "what this replica has handled" exact per partition from the first moment: the
 * position a join compares history against.
 */
@Injectable()
export class LiveStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveStream.name);
  private consumer: Consumer | undefined;
  /** Per partition: the last offset handled (emitted or held), -1 when none. */
  private readonly handled = new Map<number, bigint>();
  private readonly joining = new Map<string, Set<JoinBuffer>>();
  private groupId: string | undefined;

  constructor(
    private readonly sockets: LocalSockets,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly topic: MessagesTopic,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
    private readonly tails: RoomTails,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.topic.ensure();
    const groupId = `gateway-live.${this.config.instanceId}.${randomUUID()}`;
    this.groupId = groupId;
    // The group is new and empty, so its start can be committed before anyone reads: the
    // consumer then begins exactly at these offsets (a seek after run() would race the first fetch).
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await retryRetriable('reading partition ends', () => admin.fetchTopicOffsets(this.topic.name));
      for (const end of ends) this.handled.set(end.partition, BigInt(end.high) - 1n);
      await retryRetriable('committing the live stream start', () =>
        commitGroupStart(
          this.kafka,
          groupId,
          this.topic.name,
          ends.map((e) => ({ partition: e.partition, offset: e.high })),
        ),
      );
    } finally {
      await admin.disconnect();
    }

    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic.name, fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    await joined;
    this.logger.log(`live stream reading ${this.handled.size} partitions of ${this.topic.name}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
    // The group was only this process; remove its committed start so groups do not pile up.
    if (this.groupId) {
      const admin = this.kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([this.groupId!]))
        .catch((error: Error) => this.logger.warn(`could not delete group ${this.groupId}: ${error.message}`))
        .finally(() => admin.disconnect());
    }
  }

  /**
   * Registers a join: from now on this room's live messages are held in the returned buffer
   * until `finishJoin`. Synchronous on purpose: no live message can slip between reading the
   * handled position and registering.
   */
  beginJoin(roomId: string, partition: number): JoinBuffer {
    const handled = this.handled.get(partition) ?? -1n;
    const buffer = new JoinBuffer(roomId, Number(handled + 1n));
    // From here on the room's messages are also kept for later joins (RoomTails).
    this.tails.track(roomId, buffer.untilSeq + 1);
    let set = this.joining.get(roomId);
    if (!set) this.joining.set(roomId, (set = new Set()));
    set.add(buffer);
    return buffer;
  }

  endJoin(buffer: JoinBuffer): void {
    const set = this.joining.get(buffer.roomId);
    set?.delete(buffer);
    if (set?.size === 0) this.joining.delete(buffer.roomId);
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs hands closures, typed as methods (its docs destructure them)
  private async onBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const record of batch.messages) {
      if (!isRunning() || isStale()) return;
      const offset = BigInt(record.offset);
      // Never deliver a position twice (a refetch after a broker hiccup re-reads a batch).
      if (offset <= (this.handled.get(batch.partition) ?? -1n)) continue;
      const decoded = decodeChatRecord(record.key, record.value, record.offset);
      this.handled.set(batch.partition, offset);
      // What the persister dead-letters is never delivered live either: both read it the same way.
      if (decoded.ok) this.deliver(decoded.message);
      else this.logger.warn(`skipping partition ${batch.partition} offset ${record.offset}: ${decoded.reason}`);
    }
    const last = batch.messages.at(-1);
    if (last) this.metrics.consumerLag.set({ consumer: 'live', partition: String(batch.partition) }, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
    await heartbeat();
  }

  private deliver(message: ChatMessage): void {
    this.metrics.messagesDelivered.inc(this.sockets.toRoom(message.roomId, 'message', { message }));
    this.tails.append(message);
    const buffers = this.joining.get(message.roomId);
    if (buffers) for (const b of buffers) b.hold(message);
  }
}

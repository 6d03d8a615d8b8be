import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { KAFKA_CLIENT } from './kafka.tokens';
import { RoomPartitioner } from './room-partitioner';
import { retryRetriable } from './retry-retriable';

/**
 * The chat topic and its dead-letter companion. Every process calls `ensure()` before it maps a
 * room to a partition; whoever comes first creates them (with KAFKA_PARTITIONS partitions), the
 * rest find them. An existing topic's partition count is used as it is, never changed: rooms are
 * mapped to partitions by key, and another count would move rooms and break their single order.
 */
@Injectable()
export class MessagesTopic {
  private readonly logger = new Logger(MessagesTopic.name);
  private partitioner: RoomPartitioner | undefined;
  private found: Promise<number> | undefined;
  private count: number | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get name(): string {
    return this.config.kafka.messagesTopic;
  }

  /** The chat topic's partition count, as found by `ensure()`. */
  get partitions(): number {
    if (this.count === undefined) throw new Error(`MessagesTopic.ensure() has not found ${this.name} yet`);
    return this.count;
  }

  /** The partition that holds a room's messages (the key is the room id; Java-compatible murmur2). */
  partitionOf(roomId: string): number {
    this.partitioner ??= new RoomPartitioner(this.name, this.partitions);
    return this.partitioner.partitionOf(roomId);
  }

  get deadLetterName(): string {
    return this.config.kafka.deadLetterTopic;
  }

  /** Creates the topics if missing and learns the chat topic's partition count; once per process (retried after a failure). */
  ensure(): Promise<number> {
    this.found ??= this.createOrFind().then(
      (count) => (this.count = count),
      (error: unknown) => {
        this.found = undefined;
        throw error;
      },
    );
    return this.found;
  }

  private async createOrFind(): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { partitions } = this.config.kafka;
      const existing = new Set(await admin.listTopics());
      const wanted = [
        { topic: this.name, numPartitions: partitions },
        { topic: this.deadLetterName, numPartitions: 1 },
      ].filter((t) => !existing.has(t.topic));
      if (wanted.length > 0) {
        // createTopics answers false (no throw) when another process created it meanwhile.
        await admin.createTopics({
          topics: wanted.map((t) => ({ ...t, replicationFactor: this.config.kafka.replicationFactor })),
          waitForLeaders: true,
        });
        this.logger.log(`created topics ${wanted.map((t) => t.topic).join(', ')}`);
      }
      const meta = await retryRetriable('reading topic metadata', () => admin.fetchTopicMetadata({ topics: [this.name] }));
      const actual = meta.topics[0]?.partitions.length ?? 0;
      if (actual === 0) throw new Error(`topic ${this.name} has no partitions`);
      if (actual !== partitions) {
        this.logger.warn(
          `topic ${this.name} has ${actual} partitions; KAFKA_PARTITIONS=${partitions} applies only to a new topic ` +
            '(changing the count would move rooms between partitions): using its ' + actual,
        );
      }
      return actual;
    } finally {
      await admin.disconnect();
    }
  }
}

/** The persister's consumer group: its committed offsets say how far history is complete. */
export const PERSISTER_GROUP_ID = 'persister';

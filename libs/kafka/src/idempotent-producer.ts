import { Producer, ProduceAcks, type MessageToProduce } from '@platformatic/kafka';
import { KAFKA_RETRY } from './kafka-retry';

/** One record to write. Without a partition, the library's murmur2 of the key picks it. */
export interface WriteRecord {
  readonly key: string | Buffer | null;
  /** null: a tombstone (kept as one, e.g. when a dead letter's original had no value). */
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly partition?: number;
}

/**
 * What one write did: the base offset of each partition the broker acknowledged (a request's
 * records of one partition are appended contiguously, in the order given) and, when any partition
 * was not acknowledged, the error. A record of a partition without a base offset may still have
 * been written (an ambiguous failure).
 */
export interface WriteOutcome {
  readonly baseOffsets: ReadonlyMap<number, bigint>;
  readonly error?: Error;
}

/** Writes a batch of records to one topic in one produce request; one write at a time. */
export interface RecordWriter {
  write(topic: string, records: readonly WriteRecord[]): Promise<WriteOutcome>;
}

export interface IdempotentProducerOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly log: (message: string) => void;
  /** Retries of one request before the write fails (default KAFKA_RETRY.retries, ~28 s). At least 2: the library takes 0 and 1 for no limit. */
  readonly retries?: number;
  /** Records written under one producer id before it is renewed (default and upper bound: RECORDS_PER_PRODUCER_ID). */
  readonly recordsPerProducerId?: number;
}

/**
 * Kafka's sequence numbers are int32 per partition and producer id; this client counts them up
 * without wrapping, so the id is renewed long before any partition's count could reach 2^31.
 * Counted over all partitions together (an upper bound for each): at 1,000 records/s, every 24 days.
 */
const RECORDS_PER_PRODUCER_ID = 2 ** 31 - 2 ** 20;

/**
 * An idempotent Kafka producer (acks from all in-sync replicas; a request the client retries is
 * written once, by the producer id and sequence numbers the broker checks), on @platformatic/kafka:
 * its produce path costs a gateway less CPU than kafkajs's did (1-13 % less per delivery in each
 * A/B pair, docs/benchmarks.md).
 *
 * What the library leaves to its user, and this class does: after a write that failed, nobody
 * knows whether the broker appended it (a request may time out after it was written), so the
 * library's sequence numbers no longer match the broker's. The next request with the same
 * sequence and count would be taken for a duplicate of the lost one (acknowledged with its
 * offsets, its own records dropped), and any other count is refused as out of order. So after
 * any failure the producer asks for a new producer id (sequences start again at 0) before it
 * writes again (the Java client bumps its epoch for the same reason). The failed records are answered as failed: when one was
 * written after all, its sender's retry with the same clientMsgId is answered with it from the log
 * (RetryWindow), so it is stored and delivered once either way.
 */
export class IdempotentProducer implements RecordWriter {
  private readonly producer: Producer<Buffer, Buffer | null, Buffer, Buffer>;
  /** A failure since the last write: the producer id must be renewed before the next one. */
  private renewBeforeWrite = false;
  private recordsWritten = 0;
  private readonly recordsPerProducerId: number;

  constructor(private readonly options: IdempotentProducerOptions) {
    this.recordsPerProducerId = Math.min(options.recordsPerProducerId ?? RECORDS_PER_PRODUCER_ID, RECORDS_PER_PRODUCER_ID);
    this.producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      // Broker restarts and leader moves are retried with the project's backoff (KAFKA_RETRY).
      retries: options.retries ?? KAFKA_RETRY.retries,
      retryDelay: (_client, _operation, attempt) => Math.min(KAFKA_RETRY.maxMs, KAFKA_RETRY.firstMs * 2 ** (attempt - 1)),
    });
  }

  /** Connects and takes a producer id, so that the first write does not wait for them. */
  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
  }

  async write(topic: string, records: readonly WriteRecord[]): Promise<WriteOutcome> {
    try {
      if (this.renewBeforeWrite) await this.renew('after a failed write');
      else if (this.recordsWritten + records.length > this.recordsPerProducerId) await this.renew('before its sequence numbers run out');
      const result = await this.producer.send({ messages: records.map((r) => toMessage(topic, r)) });
      this.recordsWritten += records.length;
      return { baseOffsets: baseOffsetsOf(result.offsets) };
    } catch (error) {
      this.renewBeforeWrite = true;
      // A request to several brokers can fail for some: what the others acknowledged stands.
      const produced = (error as { produced?: { offsets?: OffsetEntry[] } } | null)?.produced;
      return { baseOffsets: baseOffsetsOf(produced?.offsets), error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }

  private async renew(why: string): Promise<void> {
    const previous = this.producer.producerId;
    const { producerId } = await this.producer.initIdempotentProducer({});
    this.renewBeforeWrite = false;
    this.recordsWritten = 0;
    this.options.log(`producer id ${previous} renewed as ${producerId} ${why}`);
  }
}

interface OffsetEntry {
  readonly partition: number;
  readonly offset: bigint;
}

function baseOffsetsOf(offsets: readonly OffsetEntry[] | undefined): Map<number, bigint> {
  const byPartition = new Map<number, bigint>();
  for (const { partition, offset } of offsets ?? []) byPartition.set(partition, offset);
  return byPartition;
}

function toMessage(topic: string, record: WriteRecord): MessageToProduce<Buffer, Buffer | null, Buffer, Buffer> {
  const headers = record.headers && new Map(Object.entries(record.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
  return {
    topic,
    key: typeof record.key === 'string' ? Buffer.from(record.key) : (record.key ?? undefined),
    value: typeof record.value === 'string' ? Buffer.from(record.value) : record.value,
    headers,
    partition: record.partition,
  };
}

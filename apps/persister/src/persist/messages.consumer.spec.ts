import type { ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { loadConfig } from '@app/config';
import type { ChatRecord } from '@app/contracts';
import type { MessagesTopic } from '@app/kafka';
import type { BatchWriteResult, MessageDocument, MessagesRepository, RoomsRepository } from '@app/mongo';
import { ChatMetrics } from '@app/observability';
import type { DeadLetter, DeadLetters } from './dead-letters';
import { MessagesConsumer } from './messages.consumer';

const TOPIC = 'chat.messages';
const PARTITION = 2;

/** A chat record as the gateway writes it, at `offset`, keyed by its room unless told otherwise. */
function aRecord(offset: number, fields: { roomId?: string; key?: string; value?: string } = {}): KafkaMessage {
  const roomId = fields.roomId ?? 'r1';
  const record: ChatRecord = {
    v: 1,
    id: `m${offset}`,
    roomId,
    clientMsgId: `c${offset}`,
    user: { id: 'u-alice', username: 'alice' },
    text: `message at ${offset}`,
    sentAt: '2026-01-01T00:00:00.000Z',
  };
  return {
    offset: String(offset),
    key: Buffer.from(fields.key ?? roomId),
    value: Buffer.from(fields.value ?? JSON.stringify(record)),
    timestamp: '0',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/**
 * Everything the stubs see, in order: `insert 10,11` when a store write starts, `stored 10,11`
 * when it resolves, `failed 10,11` when it rejects, `dead 11` per dead letter, `commit 12`.
 */
type Log = string[];

/** A stub Kafka (no broker): its consumer hands the test the eachBatch it is run with and logs commits. */
function stubKafka(log: Log) {
  const state = { run: undefined as ConsumerRunConfig | undefined, commits: [] as TopicPartitionOffsetAndMetadata[] };
  const consumer = {
    connect: async () => undefined,
    subscribe: async () => undefined,
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' },
    on: () => () => undefined,
    run: async (config: ConsumerRunConfig) => void (state.run = config),
    commitOffsets: async (offsets: TopicPartitionOffsetAndMetadata[]) => {
      state.commits.push(...offsets);
      offsets.forEach((o) => log.push(`commit ${o.offset}`));
    },
    disconnect: async () => undefined,
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, state };
}

/** A stub MessagesRepository: insertBatch fails `failures` times and always for `down` offsets, else stores (asynchronously). */
function stubMessages(log: Log) {
  const state = { failures: 0, down: new Set<string>(), alreadyStored: new Set<string>() };
  const offsets = (docs: MessageDocument[]) => docs.map((d) => d.offset).join(',');
  const messages = {
    insertBatch: async (docs: MessageDocument[]): Promise<BatchWriteResult> => {
      log.push(`insert ${offsets(docs)}`);
      await Promise.resolve();
      const down = docs.some((d) => state.down.has(d.offset));
      if (state.failures > 0 || down) {
        if (!down) state.failures -= 1;
        log.push(`failed ${offsets(docs)}`);
        throw new Error('mongo down');
      }
      log.push(`stored ${offsets(docs)}`);
      return { inserted: docs.filter((d) => !state.alreadyStored.has(d._id)), alreadyStored: docs.filter((d) => state.alreadyStored.has(d._id)) };
    },
  } as unknown as MessagesRepository;
  return { messages, state };
}

/** A fetched batch of PARTITION; the test turns `running` off to play a shutdown or a lost partition. */
function aBatch(records: KafkaMessage[]) {
  const state = { running: true, heartbeats: 0, resolved: [] as string[] };
  const payload = {
    batch: { topic: TOPIC, partition: PARTITION, highWatermark: String(Number(records.at(-1)?.offset ?? 0) + 1), messages: records },
    resolveOffset: (offset: string) => void state.resolved.push(offset),
    heartbeat: async () => void (state.heartbeats += 1),
    isRunning: () => state.running,
    isStale: () => false,
    commitOffsetsIfNecessary: async () => undefined,
    uncommittedOffsets: () => ({ topics: [] }),
    pause: () => () => undefined,
  } as unknown as EachBatchPayload;
  return { payload, state };
}

/** MessagesConsumer over a stub Kafka, store and dead-letter topic, with real metrics in their own registry. */
async function build(options: { batchMax?: number } = {}) {
  const log: Log = [];
  const config = loadConfig({ JWT_SECRET: 'test-secret-of-enough-length', INSTANCE_ID: 'persister-test', PERSISTER_BATCH_MAX: String(options.batchMax ?? 2) });
  const kafka = stubKafka(log);
  const store = stubMessages(log);
  const roomCounts: Map<string, { count: number; lastAt: Date }>[] = [];
  const rooms = { recordMessages: async (counts: Map<string, { count: number; lastAt: Date }>) => void roomCounts.push(counts) } as unknown as RoomsRepository;
  const letters: DeadLetter[] = [];
  const deadLetters = {
    send: async (sent: DeadLetter[]) => {
      letters.push(...sent);
      sent.forEach((l) => log.push(`dead ${l.offset}`));
    },
  } as unknown as DeadLetters;
  const topic = { name: TOPIC, ensure: async () => undefined } as unknown as MessagesTopic;
  const sut = new MessagesConsumer(kafka.kafka, topic, store.messages, rooms, deadLetters, config, new ChatMetrics(config));
  await sut.onApplicationBootstrap();
  const eachBatch = kafka.state.run!.eachBatch!;
  return { sut, log, eachBatch, commits: kafka.state.commits, store: store.state, letters, roomCounts };
}

describe('MessagesConsumer.onBatch (stub Kafka consumer, stub store, stub dead-letter topic)', () => {
  let sut: MessagesConsumer | undefined;
  afterEach(async () => {
    jest.useRealTimers();
    await sut?.onModuleDestroy();
    sut = undefined;
  });

  it('commits the offset after the last stored record, and only once the store acknowledged the insert', async () => {
    const t = await build();
    sut = t.sut;
    const { payload, state } = aBatch([aRecord(10), aRecord(11)]);
    await t.eachBatch(payload);
    expect(t.log).toEqual(['insert 10,11', 'stored 10,11', 'commit 12']);
    expect(t.commits).toEqual([{ topic: TOPIC, partition: PARTITION, offset: '12' }]);
    expect(state.resolved).toEqual(['11']);
  });

  it('writes and commits a batch chunk by chunk, each chunk after its own insert', async () => {
    const t = await build({ batchMax: 2 });
    sut = t.sut;
    await t.eachBatch(aBatch([10, 11, 12, 13, 14].map((o) => aRecord(o))).payload);
    expect(t.log).toEqual(['insert 10,11', 'stored 10,11', 'commit 12', 'insert 12,13', 'stored 12,13', 'commit 14', 'insert 14', 'stored 14', 'commit 15']);
  });

  it('dead-letters an unreadable record with its reason, stores the rest, and commits past both', async () => {
    const t = await build({ batchMax: 2 });
    sut = t.sut;
    const records = [aRecord(10), aRecord(11, { value: 'not json {' }), aRecord(12, { roomId: 'r1', key: 'r2' })];
    await t.eachBatch(aBatch(records).payload);
    expect(t.letters.map(({ partition, offset, reason }) => ({ partition, offset, reason }))).toEqual([
      { partition: PARTITION, offset: '11', reason: 'value is not JSON' },
      { partition: PARTITION, offset: '12', reason: 'record key does not match its roomId' },
    ]);
    expect(t.letters[0]!.value?.toString()).toBe('not json {');
    expect(t.log).toEqual(['dead 11', 'insert 10', 'stored 10', 'commit 12', 'dead 12', 'commit 13']);
  });

  it('retries a failing insert, backing off from 100 ms and heartbeating, and commits nothing until it succeeds', async () => {
    jest.useFakeTimers();
    const t = await build();
    sut = t.sut;
    t.store.failures = 2;
    const { payload, state } = aBatch([aRecord(10), aRecord(11)]);
    let finished = false;
    const handled = t.eachBatch(payload).then(() => (finished = true));

    await jest.advanceTimersByTimeAsync(99);
    expect(t.log).toEqual(['insert 10,11', 'failed 10,11']);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.log).toEqual(['insert 10,11', 'failed 10,11', 'insert 10,11', 'failed 10,11']);
    expect(state.heartbeats).toBe(1);
    await jest.advanceTimersByTimeAsync(199);
    expect(t.commits).toHaveLength(0);
    expect(finished).toBe(false);

    await jest.advanceTimersByTimeAsync(1);
    await handled;
    expect(t.log.slice(4)).toEqual(['insert 10,11', 'stored 10,11', 'commit 12']);
  });

  it('leaves a chunk uncommitted for the next owner when it stops running during the retries', async () => {
    jest.useFakeTimers();
    const t = await build({ batchMax: 2 });
    sut = t.sut;
    const { payload, state } = aBatch([10, 11, 12, 13].map((o) => aRecord(o)));
    t.store.failures = Number.POSITIVE_INFINITY;
    const handled = t.eachBatch(payload);
    await jest.advanceTimersByTimeAsync(50);
    expect(t.log).toEqual(['insert 10,11', 'failed 10,11']);

    state.running = false; // shutdown, or the partition moved to another persister
    await jest.advanceTimersByTimeAsync(100);
    await handled;
    expect(t.commits).toHaveLength(0);
    expect(state.resolved).toHaveLength(0);
    expect(t.log.filter((l) => l.startsWith('insert'))).toHaveLength(1);
  });

  it('keeps the chunks stored before an outage committed, and stops at the chunk that could not be written', async () => {
    jest.useFakeTimers();
    const t = await build({ batchMax: 2 });
    sut = t.sut;
    const { payload, state } = aBatch([10, 11, 12, 13].map((o) => aRecord(o)));
    t.store.down.add('13');
    const handled = t.eachBatch(payload);
    await jest.advanceTimersByTimeAsync(50);
    state.running = false;
    await jest.advanceTimersByTimeAsync(100);
    await handled;
    expect(t.log).toEqual(['insert 10,11', 'stored 10,11', 'commit 12', 'insert 12,13', 'failed 12,13']);
    expect(t.commits.map((c) => c.offset)).toEqual(['12']);
  });

  it('counts only newly stored messages in the room statistics', async () => {
    const t = await build({ batchMax: 10 });
    sut = t.sut;
    t.store.alreadyStored.add('m11');
    await t.eachBatch(aBatch([aRecord(10), aRecord(11), aRecord(12, { roomId: 'r2' })]).payload);
    await t.sut.onModuleDestroy();
    expect(t.roomCounts).toHaveLength(1);
    expect([...t.roomCounts[0]!].map(([roomId, { count }]) => [roomId, count])).toEqual([
      ['r1', 1],
      ['r2', 1],
    ]);
  });
});

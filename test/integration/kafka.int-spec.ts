import { Test } from '@nestjs/testing';
import { KafkaJSNonRetriableError, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { ConfigModule, loadConfig } from '@app/config';
import { IdempotentProducer, KAFKA_CLIENT, KafkaModule, MessagesTopic, ProduceBatcher, restartAfterCrashes } from '@app/kafka';
import { eventually, uniqueName } from '@app/testing';

const PARTITIONS = 12;
const MESSAGES = 1000;
const ROOMS = 40;

interface Seen {
  partition: number;
  offset: bigint;
  key: string;
  n: number;
  member: string;
}

describe('Kafka through the kafka lib (real broker)', () => {
  let kafka: Kafka;
  let topic: string;
  let messagesTopic: MessagesTopic;
  let close: () => Promise<void>;

  beforeAll(async () => {
    topic = uniqueName('it.kafka');
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot('it', {
          KAFKA_TOPIC_MESSAGES: topic,
          KAFKA_TOPIC_DEAD_LETTER: `${topic}.dead-letter`,
          KAFKA_PARTITIONS: String(PARTITIONS),
        }),
        KafkaModule,
      ],
    }).compile();
    kafka = moduleRef.get(KAFKA_CLIENT);
    messagesTopic = moduleRef.get(MessagesTopic);
    await messagesTopic.ensure();
    close = () => moduleRef.close();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dead-letter`] }).catch(() => undefined);
    await admin.disconnect();
    await close();
  });

  it('creates the topic with the configured partition count, and finds it again', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0]!.partitions).toHaveLength(PARTITIONS);
  });

  it('uses an existing topic with its own partition count whatever KAFKA_PARTITIONS says (another count would move rooms)', async () => {
    const otherProcess = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot('it', { KAFKA_TOPIC_MESSAGES: topic, KAFKA_TOPIC_DEAD_LETTER: `${topic}.dead-letter`, KAFKA_PARTITIONS: '3' }),
        KafkaModule,
      ],
    }).compile();
    try {
      const sut = otherProcess.get(MessagesTopic);
      await expect(sut.ensure()).resolves.toBe(PARTITIONS);
      const rooms = Array.from({ length: 200 }, (_, i) => `room-${i}`);
      expect(rooms.map((r) => sut.partitionOf(r))).toEqual(rooms.map((r) => messagesTopic.partitionOf(r)));
      expect(Math.max(...rooms.map((r) => sut.partitionOf(r)))).toBeGreaterThanOrEqual(3);
    } finally {
      await otherProcess.close();
    }
  });

  it('produces 1,000 keyed messages with acks=all; two group members read each once, in partition order, and a survivor resumes from the commits', async () => {
    const groupId = uniqueName('it.group');
    const seen: Seen[] = [];
    const assigned = new Map<string, number[]>();
    const startMember = async (member: string, stopAfter?: number): Promise<Consumer> => {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
      consumer.on(consumer.events.GROUP_JOIN, (e) => assigned.set(member, e.payload.memberAssignment[topic] ?? []));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let taken = 0;
      await consumer.run({
        autoCommit: false,
        // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs hands closures, typed as methods (its docs destructure them)
        eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
          for (const m of batch.messages) {
            if (stopAfter !== undefined && taken >= stopAfter) return; // the rest stays uncommitted
            const { n } = JSON.parse(m.value!.toString()) as { n: number };
            seen.push({ partition: batch.partition, offset: BigInt(m.offset), key: m.key!.toString(), n, member });
            taken++;
            await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(m.offset) + 1n).toString() }]);
          }
          await heartbeat();
        },
      });
      return consumer;
    };

    // Both members join before anything is produced, so the partitions are split between them.
    const a = await startMember('a');
    const b = await startMember('b', 100);
    await eventually('the group to split the partitions between a and b', () => {
      const mine = assigned.get('a')?.length ?? 0;
      const theirs = assigned.get('b')?.length ?? 0;
      return (mine > 0 && theirs > 0 && mine + theirs === PARTITIONS) || undefined;
    }, 30_000);

    const producer = new IdempotentProducer({ brokers: loadConfig(process.env, 'it').kafka.brokers, clientId: uniqueName('it-producer'), log: () => undefined });
    await producer.connect();
    const sut = new ProduceBatcher(producer, { topic, partitionOf: (key) => messagesTopic.partitionOf(key), lingerMs: 5, maxBatch: 200 });
    const positions = await Promise.all(
      Array.from({ length: MESSAGES }, (_, n) => sut.send({ key: `room-${n % ROOMS}`, value: JSON.stringify({ n }) })),
    );
    await sut.close();
    await producer.close();

    // Every key stays on one partition, and offsets are unique per partition.
    const partitionOfKey = new Map<string, number>();
    positions.forEach((p, n) => {
      const key = `room-${n % ROOMS}`;
      expect(partitionOfKey.get(key) ?? p.partition).toBe(p.partition);
      partitionOfKey.set(key, p.partition);
    });
    expect(new Set(positions.map((p) => `${p.partition}:${p.offset}`)).size).toBe(MESSAGES);
    // Within a key, send order is offset order (one request in flight, batches in order).
    for (let n = ROOMS; n < MESSAGES; n++) expect(positions[n]!.offset > positions[n - ROOMS]!.offset).toBe(true);

    // b "crashes" after 100 records; a takes over b's partitions from b's last commits.
    await eventually('b to take its 100 records', () => seen.filter((s) => s.member === 'b').length === 100 || undefined, 30_000);
    await b.disconnect();
    await eventually('all 1,000 records', () => seen.length >= MESSAGES || undefined, 45_000);
    await new Promise((r) => setTimeout(r, 500)); // time for a late duplicate to show
    await a.disconnect();

    expect(seen).toHaveLength(MESSAGES);
    expect(new Set(seen.map((s) => s.n)).size).toBe(MESSAGES);
    expect(seen.filter((s) => s.member === 'a').length).toBe(MESSAGES - 100);
    const byPartition = new Map<number, bigint[]>();
    for (const s of seen) byPartition.set(s.partition, [...(byPartition.get(s.partition) ?? []), s.offset]);
    for (const offsets of byPartition.values()) {
      expect(offsets).toEqual([...offsets].sort((x, y) => (x < y ? -1 : 1)));
    }
    // Each record was read at the partition and offset the producer was told.
    for (const s of seen) expect(positions[s.n]).toEqual({ partition: s.partition, offset: s.offset });

    // The group's commits reach the end of every partition, so a restarted member reads nothing again.
    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    for (const end of ends) {
      const c = committed[0]!.partitions.find((p) => p.partition === end.partition)!;
      expect(c.offset === '-1' ? '0' : c.offset).toBe(end.high);
    }
    const before = seen.length;
    const again = await startMember('restarted');
    await eventually('the restarted member to join', () => (assigned.get('restarted')?.length ?? 0) === PARTITIONS || undefined, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    await again.disconnect();
    expect(seen.length).toBe(before);
  });

  it('runs a consumer again after a crash kafkajs gives up on, resuming from its commits: no record skipped', async () => {
    // kafkajs reports such a crash (restart: false) after a coordinator lookup that reached no
    // broker, which a broker restart under load caused here; a handler's non-retriable error takes
    // the same path on demand.
    const own = uniqueName('it.crash');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: own, numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: own, messages: Array.from({ length: 100 }, (_, n) => ({ key: 'k', value: String(n) })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('it.crash-group'), sessionTimeout: 6_000, heartbeatInterval: 500 });
    const crashes: boolean[] = [];
    consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload.restart));
    await consumer.connect();
    await consumer.subscribe({ topic: own, fromBeginning: true });
    const read: number[] = [];
    let failed = false;
    const run = () =>
      consumer.run({
        autoCommit: false,
        // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs hands closures, typed as methods (its docs destructure them)
        eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
          for (const m of batch.messages) {
            const n = Number(m.value!.toString());
            if (n === 50 && !failed) {
              failed = true;
              throw new KafkaJSNonRetriableError('fails once, for good as far as kafkajs is concerned');
            }
            read.push(n);
            await consumer.commitOffsets([{ topic: own, partition: batch.partition, offset: (BigInt(m.offset) + 1n).toString() }]);
          }
          await heartbeat();
        },
      });
    const sut = restartAfterCrashes(consumer, { run, log: () => undefined, firstDelayMs: 200, maxDelayMs: 1_000 });
    await run();

    await eventually('every record to be read', () => read.length >= 100 || undefined, 30_000);
    sut();
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [own] }).catch(() => undefined);
    await admin.disconnect();
    expect(crashes).toEqual([false]);
    expect(read).toEqual(Array.from({ length: 100 }, (_, n) => n));
  }, 60_000);
});

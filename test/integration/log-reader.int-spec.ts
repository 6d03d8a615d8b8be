import type { Admin, Kafka, Producer } from 'kafkajs';
import { Kafka as KafkaClient, logLevel } from 'kafkajs';
import { loadConfig } from '@app/config';
import { Admin as PlatformaticAdmin, Consumer } from '@platformatic/kafka';
import { LogReader, type FetchWait, type LogRecord } from '@app/kafka';
import { eventually, KafkaApi, KafkaWireFaults, uniqueName } from '@app/testing';

interface Read {
  partition: number;
  offset: bigint;
  value: string;
  at: number;
}

const IDLE: FetchWait = { minBytes: 1, maxWaitMs: 250 };
const NEVER_BUSY = { minBytes: 1, maxWaitMs: 0, minRecords: 1 };

describe('LogReader: partitions read from chosen offsets, without a group (real broker)', () => {
  const brokers = loadConfig(process.env, 'it').kafka.brokers;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const readers: LogReader[] = [];

  beforeAll(async () => {
    kafka = new KafkaClient({ clientId: 'it-log-reader', brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all(readers.map((r) => r.close()));
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  async function topicWith(partitions: number, records: { partition: number; value: string }[]): Promise<string> {
    const topic = uniqueName('it.log-reader');
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    if (records.length) await producer.send({ topic, messages: records.map((r) => ({ partition: r.partition, value: r.value })) });
    return topic;
  }

  function readerOf(topic: string, from: Map<number, bigint>, wait: { idle?: FetchWait; busy?: typeof NEVER_BUSY } = {}): { read: Read[]; reader: LogReader; clientId: string } {
    const read: Read[] = [];
    const clientId = uniqueName('it-log-reader');
    const reader = new LogReader({
      brokers,
      clientId,
      topic,
      idle: wait.idle ?? IDLE,
      busy: wait.busy ?? NEVER_BUSY,
      onRecords: (partition: number, records: LogRecord[]) => {
        for (const r of records) read.push({ partition, offset: r.offset, value: r.value!.toString(), at: performance.now() });
      },
      log: () => undefined,
    });
    readers.push(reader);
    reader.start(from);
    return { read, reader, clientId };
  }

  it('hands on every record from each start offset once, in offset order, and the records written after', async () => {
    const before = Array.from({ length: 300 }, (_, n) => ({ partition: n % 3, value: `old-${n}` }));
    const topic = await topicWith(3, before);
    // Each partition holds offsets 0-99; start at 0, 40 and 100 (its end).
    const { read } = readerOf(topic, new Map([[0, 0n], [1, 40n], [2, 100n]]));
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, n) => ({ partition: n % 3, value: `new-${n}` })) });

    await eventually('every record from the starts', () => (read.length >= 100 + 60 + 30 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 500)); // nothing more comes
    expect(read).toHaveLength(190);
    const offsets = (p: number) => read.filter((r) => r.partition === p).map((r) => Number(r.offset));
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    expect(offsets(0)).toEqual(range(0, 110));
    expect(offsets(1)).toEqual(range(40, 110));
    expect(offsets(2)).toEqual(range(100, 110));
    expect(read.filter((r) => r.partition === 2).map((r) => r.value)).toEqual(range(0, 10).map((i) => `new-${i * 3 + 2}`));
  });

  it('waits at the broker for the busy wait after a fetch with records, and wakes on the first record after a quiet spell', async () => {
    const topic = await topicWith(1, []);
    // Idle: the broker may hold a fetch 5 s, but answers with the first record. Busy: it holds it
    // 600 ms unless 1 MB came, which two small records never are.
    const { read } = readerOf(topic, new Map([[0, 0n]]), { idle: { minBytes: 1, maxWaitMs: 5_000 }, busy: { minBytes: 1_048_576, maxWaitMs: 600, minRecords: 1 } });
    await new Promise((r) => setTimeout(r, 1_000)); // the first (idle) fetch is waiting at the broker

    const sentA = performance.now();
    await producer.send({ topic, messages: [{ value: 'a' }] });
    const a = await eventually('the first record', () => read.find((r) => r.value === 'a'), 10_000);
    await new Promise((r) => setTimeout(r, 100));
    await producer.send({ topic, messages: [{ value: 'b' }] });
    const b = await eventually('the second record', () => read.find((r) => r.value === 'b'), 10_000);

    expect(a.at - sentA).toBeLessThan(2_500); // woken by the record, not by the 5 s wait
    expect(b.at - a.at).toBeGreaterThanOrEqual(450); // the fetch after a record waited ~600 ms (~100 ms without)
  });

  it('reads on from the log start when retention removed the records it was to read next, and reports nothing wrong after', async () => {
    const topic = await topicWith(1, Array.from({ length: 10 }, (_, n) => ({ partition: 0, value: `r-${n}` })));
    // What retention does to old segments (kafkajs's DeleteRecords version is gone from Kafka 4).
    const deleter = new PlatformaticAdmin({ clientId: uniqueName('it-delete-records'), bootstrapBrokers: brokers });
    await deleter.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 6n }] }] }).finally(() => deleter.close());
    const { read, reader } = readerOf(topic, new Map([[0, 2n]]));

    await eventually('the records left', () => (read.length >= 4 ? true : undefined), 10_000);
    expect(read.map((r) => Number(r.offset))).toEqual([6, 7, 8, 9]);
    await eventually('fetching again without failures', () => (reader.isFailing ? undefined : true), 5_000);
  });

  it('fetches again from its own positions when fetch answers are lost on the wire: each record once, in order, none missing', async () => {
    const faults = new KafkaWireFaults();
    try {
      const topic = await topicWith(2, []);
      const { read } = readerOf(topic, new Map([[0, 0n], [1, 0n]]));
      await new Promise((r) => setTimeout(r, 500)); // the first fetch is waiting at the broker
      // Records arrive in four writes; the answers to five fetches in between are lost (the
      // broker sent them, the connection died), each after the broker had moved past records.
      faults.loseAnswers(KafkaApi.FETCH, 5);
      for (let w = 0; w < 4; w++) {
        await producer.send({ topic, messages: Array.from({ length: 10 }, (_, n) => ({ partition: n % 2, value: `w${w}-${n}` })) });
        await new Promise((r) => setTimeout(r, 200));
      }
      await eventually('every record', () => (read.length >= 40 ? true : undefined), 20_000);
      await new Promise((r) => setTimeout(r, 500)); // and nothing twice
      expect(faults.answersLost).toBe(5);
      const offsets = (p: number) => read.filter((r) => r.partition === p).map((r) => Number(r.offset));
      expect(offsets(0)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(offsets(1)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      faults.uninstall();
    }
  });

  it('reports failing while its connections are cut (the gateway is then not ready), and reads on from where it was once they work: each record once, no gap', async () => {
    const faults = new KafkaWireFaults();
    try {
      const topic = await topicWith(1, [{ partition: 0, value: 'before' }]);
      const { read, reader, clientId } = readerOf(topic, new Map([[0, 0n]]));
      await eventually('the first record', () => (read.length >= 1 ? true : undefined), 10_000);
      expect(reader.isFailing).toBe(false);

      faults.cutConnections(clientId); // this reader's only: the producer below still writes
      await eventually('the reader to report failing', () => (reader.isFailing ? true : undefined), 10_000);
      await producer.send({ topic, messages: [{ partition: 0, value: 'during' }] });
      await new Promise((r) => setTimeout(r, 1_500)); // a few failed attempts (backoff up to 1 s)
      expect(reader.isFailing).toBe(true);
      expect(read.map((r) => r.value)).toEqual(['before']);

      faults.restoreConnections();
      await producer.send({ topic, messages: [{ partition: 0, value: 'after' }] });
      await eventually('the records written meanwhile', () => (read.length >= 3 ? true : undefined), 10_000);
      await eventually('the reader to report reading again', () => (reader.isFailing ? undefined : true), 5_000);
      await new Promise((r) => setTimeout(r, 300)); // and nothing twice
      expect(read.map((r) => [Number(r.offset), r.value])).toEqual([[0, 'before'], [1, 'during'], [2, 'after']]);
    } finally {
      faults.uninstall();
    }
  });

  it('reads what is written next when its start is past the end of the log (a truncated log)', async () => {
    const topic = await topicWith(1, Array.from({ length: 5 }, (_, n) => ({ partition: 0, value: `r-${n}` })));
    const { read } = readerOf(topic, new Map([[0, 1_000n]]));
    await new Promise((r) => setTimeout(r, 500));
    await producer.send({ topic, messages: [{ partition: 0, value: 'next' }] });

    await eventually('the record written after', () => (read.length >= 1 ? true : undefined), 10_000);
    expect(read.map((r) => [Number(r.offset), r.value])).toEqual([[5, 'next']]);
  });

  it('fetches outside any fetch session, so the broker keeps none per request (patched @platformatic/kafka)', async () => {
    const topic = await topicWith(1, [{ partition: 0, value: 'x' }]);
    const consumer = new Consumer({ clientId: uniqueName('it-fetch-session'), bootstrapBrokers: brokers, groupId: uniqueName('it-fetch-session') });
    try {
      const metadata = await consumer.metadata({ topics: [topic] });
      const { id, partitions } = metadata.topics.get(topic)!;
      const response = await consumer.fetch({
        node: partitions[0]!.leader,
        maxWaitTime: 100,
        topics: [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 0n, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 65_536 }] }],
      });
      expect(response.responses[0]!.partitions[0]!.records?.[0]?.records).toHaveLength(1);
      // Session epoch 0 (unpatched) makes the broker open a session and answer its id.
      expect(response.sessionId).toBe(0);
    } finally {
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    }
  });
});

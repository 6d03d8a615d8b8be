import type { Admin } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@app/config';
import { IdempotentProducer, LogReader, type LogRecord } from '@app/kafka';
import { eventually, KafkaApi, KafkaWireFaults, uniqueName } from '@app/testing';

describe('IdempotentProducer: each record written once, whatever happens to the answers (real broker)', () => {
  const brokers = loadConfig(process.env, 'it').kafka.brokers;
  let admin: Admin;
  let faults: KafkaWireFaults;
  const closing: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    faults = new KafkaWireFaults();
    admin = new Kafka({ clientId: 'it-idempotent-producer', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(closing.map((c) => c.close()));
    await admin.disconnect();
    faults.uninstall();
  });

  async function newTopic(): Promise<string> {
    const topic = uniqueName('it.idempotent-producer');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    return topic;
  }

  function producer(options: { retries?: number; recordsPerProducerId?: number } = {}): { producer: IdempotentProducer; logged: string[] } {
    const logged: string[] = [];
    const sut = new IdempotentProducer({ brokers, clientId: uniqueName('it-producer'), log: (m) => logged.push(m), ...options });
    closing.push(sut);
    return { producer: sut, logged };
  }

  /** Every record of the topic's partition 0, read from the broker once `count` are there. */
  async function logOf(topic: string, count: number): Promise<LogRecord[]> {
    const read: LogRecord[] = [];
    const reader = new LogReader({
      brokers,
      clientId: uniqueName('it-producer-reader'),
      topic,
      idle: { minBytes: 1, maxWaitMs: 100 },
      busy: { minBytes: 1, maxWaitMs: 0, minRecords: 1 },
      onRecords: (_partition, records) => read.push(...records),
      log: () => undefined,
    });
    reader.start(new Map([[0, 0n]]));
    try {
      await eventually(`${count} records in ${topic}`, () => (read.length >= count ? true : undefined), 20_000);
      await new Promise((r) => setTimeout(r, 300)); // and no more
      return read;
    } finally {
      await reader.close();
    }
  }

  const values = (records: LogRecord[]) => records.map((r) => r.value?.toString());
  const batch = (name: string) => ['1', '2', '3'].map((n) => ({ key: 'room-1', value: `${name}-${n}`, partition: 0 }));

  it('writes a request whose answer was lost and is sent again once, and answers with its offsets', async () => {
    const topic = await newTopic();
    const { producer: sut } = producer();
    await sut.connect();
    await sut.write(topic, batch('before'));
    faults.loseAnswers(KafkaApi.PRODUCE, 1);
    const lostBefore = faults.answersLost;
    const outcome = await sut.write(topic, batch('retried'));
    expect(faults.answersLost - lostBefore).toBe(1);
    expect(outcome.error).toBeUndefined();
    expect(outcome.baseOffsets.get(0)).toBe(3n);
    expect(values(await logOf(topic, 6))).toEqual(['before-1', 'before-2', 'before-3', 'retried-1', 'retried-2', 'retried-3']);
  });

  it('after a write that failed but was written, writes the next batch of the same size with its own offsets (a new producer id), not as a duplicate', async () => {
    const topic = await newTopic();
    const { producer: sut, logged } = producer({ retries: 2 });
    await sut.connect();
    // The request and both its retries reach the broker (which appends the first and recognises the others); no answer comes back.
    faults.loseAnswers(KafkaApi.PRODUCE, 3);
    const lostBefore = faults.answersLost;
    const lost = await sut.write(topic, batch('lost'));
    expect(faults.answersLost - lostBefore).toBe(3);
    expect(lost.error).toBeDefined();
    expect(lost.baseOffsets.size).toBe(0);
    // Same sequence numbers and count as the lost request: without a new producer id the broker
    // would take it for a retry of that one and answer with its offsets, dropping these records.
    const next = await sut.write(topic, batch('next'));
    expect(next.error).toBeUndefined();
    expect(next.baseOffsets.get(0)).toBe(3n);
    expect(values(await logOf(topic, 6))).toEqual(['lost-1', 'lost-2', 'lost-3', 'next-1', 'next-2', 'next-3']);
    expect(logged).toEqual([expect.stringMatching(/^producer id \d+ renewed as \d+ after a failed write$/)]);
  });

  it('takes a new producer id before the sequence numbers of a partition would run out, and writes on at the next offsets', async () => {
    const topic = await newTopic();
    const { producer: sut, logged } = producer({ recordsPerProducerId: 4 });
    await sut.connect();
    const offsets: Array<bigint | undefined> = [];
    for (const name of ['a', 'b', 'c']) offsets.push((await sut.write(topic, batch(name))).baseOffsets.get(0));
    expect(offsets).toEqual([0n, 3n, 6n]);
    expect(values(await logOf(topic, 9))).toEqual(['a', 'b', 'c'].flatMap((n) => [`${n}-1`, `${n}-2`, `${n}-3`]));
    expect(logged).toEqual([
      expect.stringMatching(/^producer id \d+ renewed as \d+ before its sequence numbers run out$/),
      expect.stringMatching(/^producer id \d+ renewed as \d+ before its sequence numbers run out$/),
    ]);
  });

  it('writes a key as given, and a record without key or value (a tombstone) as such', async () => {
    const topic = await newTopic();
    const { producer: sut } = producer();
    const outcome = await sut.write(topic, [
      { key: 'k', value: 'v', headers: { reason: 'why', 'source-offset': '7' }, partition: 0 },
      { key: null, value: null, partition: 0 },
    ]);
    expect(outcome).toEqual({ baseOffsets: new Map([[0, 0n]]) });
    const [first, second] = await logOf(topic, 2);
    expect(first!.key?.toString()).toBe('k');
    expect(second!.key).toBeNull();
    expect(second!.value).toBeNull();
  });
});

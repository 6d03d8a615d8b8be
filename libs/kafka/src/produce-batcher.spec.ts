import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { ProduceBatcher } from './produce-batcher';
import { RoomPartitioner } from './room-partitioner';

/** A stub producer (no broker): appends to in-memory partition logs like Kafka would. */
function stubProducer(options: { failNext?: boolean; delayMs?: number } = {}) {
  const logs = new Map<number, number>();
  const requests: ProducerRecord[] = [];
  const producer = {
    send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
      requests.push(record);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.failNext) {
        options.failNext = false;
        throw new Error('broker down');
      }
      const counts = new Map<number, number>();
      for (const m of record.messages) counts.set(m.partition!, (counts.get(m.partition!) ?? 0) + 1);
      return [...counts].map(([partition, n]) => {
        const base = logs.get(partition) ?? 0;
        logs.set(partition, base + n);
        return { topicName: record.topic, partition, errorCode: 0, baseOffset: String(base) };
      });
    },
  } as unknown as Producer;
  return { producer, requests };
}

const partitioner = new RoomPartitioner('t', 4);
const options = { topic: 't', partitionOf: (key: string) => partitioner.partitionOf(key), lingerMs: 5, maxBatch: 100 };

describe('ProduceBatcher (stub producer)', () => {
  it('sends records that arrive together in one request with acks from all replicas', async () => {
    const { producer, requests } = stubProducer();
    const sut = new ProduceBatcher(producer, options);
    await Promise.all(Array.from({ length: 50 }, (_, i) => sut.send({ key: `room-${i % 7}`, value: 'x' })));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.acks).toBe(-1);
  });

  it('gives every record its own offset, in send order within a partition', async () => {
    const { producer } = stubProducer();
    const sut = new ProduceBatcher(producer, options);
    const positions = await Promise.all(Array.from({ length: 30 }, () => sut.send({ key: 'room-a', value: 'x' })));
    expect(positions.map((p) => p.offset)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i)));
    expect(new Set(positions.map((p) => p.partition)).size).toBe(1);
  });

  it('keeps a key on one partition across batches', async () => {
    const { producer } = stubProducer();
    const sut = new ProduceBatcher(producer, options);
    const first = await sut.send({ key: 'room-b', value: 'x' });
    const second = await sut.send({ key: 'room-b', value: 'y' });
    expect(second.partition).toBe(first.partition);
    expect(second.offset).toBe(first.offset + 1n);
  });

  it('splits a burst at maxBatch and queues the rest behind the request in flight', async () => {
    const { producer, requests } = stubProducer({ delayMs: 10 });
    const sut = new ProduceBatcher(producer, { ...options, maxBatch: 10 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => sut.send({ key: `k${i}`, value: 'x' })));
    expect(requests.map((r) => r.messages.length)).toEqual([10, 10, 5]);
  });

  it('rejects every record of a failed request, and later records still go through', async () => {
    const { producer } = stubProducer({ failNext: true });
    const sut = new ProduceBatcher(producer, options);
    const failed = await Promise.allSettled([sut.send({ key: 'a', value: '1' }), sut.send({ key: 'b', value: '2' })]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(sut.send({ key: 'a', value: '3' })).resolves.toMatchObject({ offset: 0n });
  });

  it('flushes what is queued on close and refuses records after it', async () => {
    const { producer, requests } = stubProducer();
    const sut = new ProduceBatcher(producer, { ...options, lingerMs: 1000 });
    const pending = sut.send({ key: 'a', value: '1' });
    await sut.close();
    await expect(pending).resolves.toMatchObject({ offset: 0n });
    expect(requests).toHaveLength(1);
    await expect(sut.send({ key: 'a', value: '2' })).rejects.toThrow(/closed/);
  });

  it('withdraws a record whose time ran out while it still waited in the queue, and never sends it', async () => {
    const { producer, requests } = stubProducer({ delayMs: 80 });
    const sut = new ProduceBatcher(producer, { ...options, lingerMs: 0 });
    const underWay = sut.send({ key: 'room-1', value: 'first' });
    const queued = sut.send({ key: 'room-1', value: 'second' }, 20);
    await expect(queued).rejects.toThrow('withdrawn before it was sent');
    await expect(underWay).resolves.toMatchObject({ offset: 0n });
    await sut.close();
    expect(requests.flatMap((r) => r.messages.map((m) => m.value))).toEqual(['first']);
  });

  it('answers a caller at its deadline while its request hangs, and ignores what the broker says later', async () => {
    const { producer, requests } = stubProducer({ delayMs: 150 });
    const sut = new ProduceBatcher(producer, { ...options, lingerMs: 0 });
    const started = Date.now();
    const hanging = sut.send({ key: 'room-1', value: 'slow' }, 30);
    await expect(hanging).rejects.toThrow('no answer within 30 ms (the record may still be written)');
    expect(Date.now() - started).toBeLessThan(30 + 100);
    await sut.close();
    // It was sent (an ambiguous failure: the caller's retry finds it in the log).
    expect(requests.flatMap((r) => r.messages.map((m) => m.value))).toEqual(['slow']);
  });

  it('keeps each caller to its own time limit, a shorter one arriving after a longer one included', async () => {
    const { producer } = stubProducer({ delayMs: 200 });
    const sut = new ProduceBatcher(producer, { ...options, lingerMs: 0 });
    const patient = sut.send({ key: 'room-1', value: 'a' }, 5_000);
    const hurried = sut.send({ key: 'room-1', value: 'b' }, 20);
    const started = Date.now();
    await expect(hurried).rejects.toThrow('withdrawn');
    expect(Date.now() - started).toBeLessThan(20 + 100);
    await expect(patient).resolves.toMatchObject({ offset: 0n });
    await sut.close();
  });
});

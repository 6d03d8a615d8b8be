import type { RecordWriter, WriteRecord } from './idempotent-producer';
import { ProduceBatcher } from './produce-batcher';
import { RoomPartitioner } from './room-partitioner';

interface Request {
  readonly topic: string;
  readonly records: readonly WriteRecord[];
}

/**
 * A stub writer (no broker): appends to in-memory partition logs like Kafka would. `failNext`
 * fails a whole request; `failPartition` fails only that partition's records of the next one
 * (a request spread over several brokers, one of them down).
 */
function stubWriter(options: { failNext?: boolean; failPartition?: number; delayMs?: number } = {}) {
  const logs = new Map<number, number>();
  const requests: Request[] = [];
  const writer: RecordWriter = {
    write: async (topic, records) => {
      requests.push({ topic, records });
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.failNext) {
        options.failNext = false;
        return { baseOffsets: new Map(), error: new Error('broker down') };
      }
      const failing = options.failPartition;
      options.failPartition = undefined;
      const counts = new Map<number, number>();
      for (const r of records) counts.set(r.partition!, (counts.get(r.partition!) ?? 0) + 1);
      const baseOffsets = new Map<number, bigint>();
      for (const [partition, n] of counts) {
        if (partition === failing) continue;
        const base = logs.get(partition) ?? 0;
        logs.set(partition, base + n);
        baseOffsets.set(partition, BigInt(base));
      }
      return failing === undefined ? { baseOffsets } : { baseOffsets, error: new Error(`partition ${failing}'s broker down`) };
    },
  };
  return { writer, requests };
}

const partitioner = new RoomPartitioner('t', 4);
const options = { topic: 't', partitionOf: (key: string) => partitioner.partitionOf(key), lingerMs: 5, maxBatch: 100 };

describe('ProduceBatcher (stub writer)', () => {
  it('sends records that arrive together in one request with acks from all replicas', async () => {
    const { writer, requests } = stubWriter();
    const sut = new ProduceBatcher(writer, options);
    await Promise.all(Array.from({ length: 50 }, (_, i) => sut.send({ key: `room-${i % 7}`, value: 'x' })));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.records).toHaveLength(50);
  });

  it('gives every record its own offset, in send order within a partition', async () => {
    const { writer } = stubWriter();
    const sut = new ProduceBatcher(writer, options);
    const positions = await Promise.all(Array.from({ length: 30 }, () => sut.send({ key: 'room-a', value: 'x' })));
    expect(positions.map((p) => p.offset)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i)));
    expect(new Set(positions.map((p) => p.partition)).size).toBe(1);
  });

  it('keeps a key on one partition across batches', async () => {
    const { writer } = stubWriter();
    const sut = new ProduceBatcher(writer, options);
    const first = await sut.send({ key: 'room-b', value: 'x' });
    const second = await sut.send({ key: 'room-b', value: 'y' });
    expect(second.partition).toBe(first.partition);
    expect(second.offset).toBe(first.offset + 1n);
  });

  it('splits a burst at maxBatch and queues the rest behind the request in flight', async () => {
    const { writer, requests } = stubWriter({ delayMs: 10 });
    const sut = new ProduceBatcher(writer, { ...options, maxBatch: 10 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => sut.send({ key: `k${i}`, value: 'x' })));
    expect(requests.map((r) => r.records.length)).toEqual([10, 10, 5]);
  });

  it('rejects every record of a failed request, and later records still go through', async () => {
    const { writer } = stubWriter({ failNext: true });
    const sut = new ProduceBatcher(writer, options);
    const failed = await Promise.allSettled([sut.send({ key: 'a', value: '1' }), sut.send({ key: 'b', value: '2' })]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(sut.send({ key: 'a', value: '3' })).resolves.toMatchObject({ offset: 0n });
  });

  it('answers the records of the partitions that were written when others of the request failed', async () => {
    const keyOn = (partition: number) => Array.from({ length: 100 }, (_, i) => `room-${i}`).find((k) => partitioner.partitionOf(k) === partition)!;
    const { writer } = stubWriter({ failPartition: 1 });
    const sut = new ProduceBatcher(writer, options);
    const answers = await Promise.allSettled([0, 1, 0, 1].map((p, i) => sut.send({ key: keyOn(p), value: String(i) })));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.offset : (a.reason as Error).message))).toEqual([0n, "partition 1's broker down", 1n, "partition 1's broker down"]);
  });

  it('flushes what is queued on close and refuses records after it', async () => {
    const { writer, requests } = stubWriter();
    const sut = new ProduceBatcher(writer, { ...options, lingerMs: 1000 });
    const pending = sut.send({ key: 'a', value: '1' });
    await sut.close();
    await expect(pending).resolves.toMatchObject({ offset: 0n });
    expect(requests).toHaveLength(1);
    await expect(sut.send({ key: 'a', value: '2' })).rejects.toThrow(/closed/);
  });

  it('withdraws a record whose time ran out while it still waited in the queue, and never sends it', async () => {
    const { writer, requests } = stubWriter({ delayMs: 80 });
    const sut = new ProduceBatcher(writer, { ...options, lingerMs: 0 });
    const underWay = sut.send({ key: 'room-1', value: 'first' });
    const queued = sut.send({ key: 'room-1', value: 'second' }, 20);
    await expect(queued).rejects.toThrow('withdrawn before it was sent');
    await expect(underWay).resolves.toMatchObject({ offset: 0n });
    await sut.close();
    expect(requests.flatMap((r) => r.records.map((m) => m.value))).toEqual(['first']);
  });

  it('answers a caller at its deadline while its request hangs, and ignores what the broker says later', async () => {
    const { writer, requests } = stubWriter({ delayMs: 150 });
    const sut = new ProduceBatcher(writer, { ...options, lingerMs: 0 });
    const started = Date.now();
    const hanging = sut.send({ key: 'room-1', value: 'slow' }, 30);
    await expect(hanging).rejects.toThrow('no answer within 30 ms (the record may still be written)');
    expect(Date.now() - started).toBeLessThan(30 + 100);
    await sut.close();
    // It was sent (an ambiguous failure: the caller's retry finds it in the log).
    expect(requests.flatMap((r) => r.records.map((m) => m.value))).toEqual(['slow']);
  });

  it('keeps each caller to its own time limit, a shorter one arriving after a longer one included', async () => {
    const { writer } = stubWriter({ delayMs: 200 });
    const sut = new ProduceBatcher(writer, { ...options, lingerMs: 0 });
    const patient = sut.send({ key: 'room-1', value: 'a' }, 5_000);
    const hurried = sut.send({ key: 'room-1', value: 'b' }, 20);
    const started = Date.now();
    await expect(hurried).rejects.toThrow('withdrawn');
    expect(Date.now() - started).toBeLessThan(20 + 100);
    await expect(patient).resolves.toMatchObject({ offset: 0n });
    await sut.close();
  });
});

/**
 * patches/kafkajs+2.2.4.patch (applied by patch-package at install), busy fetches: a consumer whose
 * last fetch from a broker returned at least `minRecords` records asks that broker for `busyFetch`
 * (wait a few ms for more); one whose last fetch came back empty or nearly asks with
 * minBytes/maxWaitTimeInMs, so a record after a quiet spell wakes it at once (busy-fetch.ts).
 * kafkajs's ConsumerGroup over a stub cluster and a stub broker that records each fetch's
 * parameters. This fails if the patch is not applied.
 */
interface FetchParams {
  maxWaitTime: number;
  minBytes: number;
}
interface ConsumerGroupShape {
  subscriptionState: { assign(topicPartitions: { topic: string; partitions: number[] }[]): void };
  offsetManager: unknown;
  fetch(nodeId: number): Promise<{ messages: unknown[] }[]>;
}
type ConsumerGroupClass = new (options: Record<string, unknown>) => ConsumerGroupShape;

// kafkajs ships no types for its internals; the shape above is what this test touches.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as ConsumerGroupClass;

const TOPIC = 'chat.messages';
const NODE = 1;
const IDLE = { minBytes: 1, maxWaitTimeInMs: 250 };
const BUSY = { minBytes: 16_384, maxWaitTimeInMs: 3, minRecords: 2 };

const aRecord = (offset: number) => ({ offset: String(offset), key: Buffer.from('room'), value: Buffer.from('{}'), headers: {}, isControlRecord: false });

/** A consumer group of partition 0 on broker NODE; `answers` are the record counts of its fetches, in turn. */
function aConsumerGroup(answers: number[], busyFetch?: { minBytes: number; maxWaitTimeInMs: number; minRecords?: number }) {
  const asked: FetchParams[] = [];
  let next = 0;
  const broker = {
    fetch: async (params: FetchParams) => {
      asked.push({ maxWaitTime: params.maxWaitTime, minBytes: params.minBytes });
      const count = answers.shift() ?? 0;
      const messages = Array.from({ length: count }, () => aRecord(next++));
      return { responses: [{ topicName: TOPIC, partitions: [{ partition: 0, errorCode: 0, highWatermark: String(next), messages }] }] };
    },
  };
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: NODE }],
    findBroker: async () => broker,
  };
  const logger = { namespace: () => logger, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const sut = new ConsumerGroup({
    cluster,
    groupId: 'spec',
    topics: [TOPIC],
    topicConfigurations: {},
    logger,
    instrumentationEmitter: { emit: () => undefined },
    assigners: [],
    maxBytesPerPartition: 1_048_576,
    maxBytes: 10_485_760,
    minBytes: IDLE.minBytes,
    maxWaitTimeInMs: IDLE.maxWaitTimeInMs,
    busyFetch,
  });
  sut.subscriptionState.assign([{ topic: TOPIC, partitions: [0] }]);
  sut.offsetManager = {
    committedOffsets: () => ({ [TOPIC]: { 0: '0' } }),
    nextOffset: () => ({ toString: () => String(next) }),
    resolveOffsets: async () => undefined,
  };
  return { sut, asked };
}

const idle = { maxWaitTime: IDLE.maxWaitTimeInMs, minBytes: IDLE.minBytes };
const busy = { maxWaitTime: BUSY.maxWaitTimeInMs, minBytes: BUSY.minBytes };

describe('kafkajs ConsumerGroup busy fetches (patched), with a stub broker', () => {
  it('waits for more records only after a fetch that returned at least minRecords, and wakes at once again after one with fewer', async () => {
    const { sut, asked } = aConsumerGroup([0, 3, 5, 0, 1, 2, 1, 1], BUSY);
    const batches = [];
    for (let i = 0; i < 8; i++) batches.push(...(await sut.fetch(NODE)));
    expect(asked).toEqual([idle, idle, busy, busy, idle, idle, busy, idle]);
    // The records themselves are handed on as before.
    expect(batches.map((b) => b.messages.length)).toEqual([0, 3, 5, 0, 1, 2, 1, 1]);
  });

  it('takes one record as enough without minRecords', async () => {
    const { sut, asked } = aConsumerGroup([1, 0, 1], { minBytes: BUSY.minBytes, maxWaitTimeInMs: BUSY.maxWaitTimeInMs });
    for (let i = 0; i < 3; i++) await sut.fetch(NODE);
    expect(asked).toEqual([idle, busy, idle]);
  });

  it('keeps every fetch at minBytes / maxWaitTimeInMs without busyFetch, or with a wait of 0', async () => {
    for (const busyFetch of [undefined, { minBytes: 16_384, maxWaitTimeInMs: 0 }]) {
      const { sut, asked } = aConsumerGroup([2, 2, 0], busyFetch);
      for (let i = 0; i < 3; i++) await sut.fetch(NODE);
      expect(asked).toEqual([idle, idle, idle]);
    }
  });
});

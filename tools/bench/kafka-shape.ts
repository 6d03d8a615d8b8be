import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { IdempotentProducer, LogReader, ProduceBatcher, RoomPartitioner } from '@app/kafka';
import { dataDir } from '../loadgen/options';
import { cpuSeconds, withDescendants } from '../loadgen/stats';
import { intOption } from './bench-env';
import { percentile, sum } from './stats';

/**
 * The topology's Kafka traffic without the rest of it, to compare topic and fetch settings by the
 * CPU they cost: 3 producers batching with a linger (each gateway's ProduceBatcher and IdempotentProducer), 3
 * LogReaders reading every partition (each gateway's live stream), and one persister-like kafkajs
 * consumer (64 KB / 100 ms fetches, a commit per batch). Records are keyed by 30 rooms, ~250 bytes
 * of JSON like a chat record. Reports the broker's CPU (from its pid file) and this process's (all
 * seven clients) per second, and produce→consume latency of the live readers.
 *
 *   node dist/tools/bench/kafka-shape.js --rate 1000 --partitions 3 [--linger 5 --wait 250 --min-bytes 1 --busy-wait 3 --busy-min-bytes 16384 --seconds 12]
 *
 * `--busy-*` is the live readers' fetch after a fetch that returned at least 2 records (LogReader;
 * a wait of 0 turns it off), as the gateways' defaults.
 *
 * It creates a topic of its own and deletes it afterwards; the broker is the topology's
 * (`--brokers`, default 127.0.0.1:9092; `--broker-pid-file`, default .data/run/kafka.pid).
 */
const ROOMS = 30;
/** The broker's CPU seconds (its pid file may name a wrapper: its descendants count too). */
const brokerCpu = (pid: number): number => sum(withDescendants([pid]).map(cpuSeconds));
const PRODUCERS = 3;
const LIVE_CONSUMERS = 3;

function options() {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: '127.0.0.1:9092' },
      'broker-pid-file': { type: 'string', default: `${dataDir()}/run/kafka.pid` },
      rate: { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '3' },
      linger: { type: 'string', default: '5' },
      wait: { type: 'string', default: '250' },
      'min-bytes': { type: 'string', default: '1' },
      'busy-wait': { type: 'string', default: '3' },
      'busy-min-bytes': { type: 'string', default: '16384' },
      seconds: { type: 'string', default: '12' },
    },
    strict: true,
  });
  return {
    brokers: values.brokers!.split(','),
    brokerPid: intOption('broker-pid-file', readFileSync(values['broker-pid-file']!, 'utf8'), 1, 2 ** 31),
    rate: intOption('rate', values.rate!, 1, 20_000),
    partitions: intOption('partitions', values.partitions!, 1, 100),
    linger: intOption('linger', values.linger!, 0, 1000),
    wait: intOption('wait', values.wait!, 1, 5000),
    minBytes: intOption('min-bytes', values['min-bytes']!, 1, 1_048_576),
    busyWait: intOption('busy-wait', values['busy-wait']!, 0, 1000),
    busyMinBytes: intOption('busy-min-bytes', values['busy-min-bytes']!, 1, 1_048_576),
    seconds: intOption('seconds', values.seconds!, 1, 120),
  };
}

async function main(): Promise<void> {
  const o = options();
  const kafka = new Kafka({ brokers: o.brokers, clientId: 'kafka-shape', logLevel: logLevel.NOTHING });
  const topic = `bench.kafka-shape.${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: o.partitions }], waitForLeaders: true });
  const latencies: number[] = [];
  const readers: LogReader[] = [];
  let persister: Consumer | undefined;
  const received = Array.from({ length: LIVE_CONSUMERS + 1 }, () => 0);
  try {
    for (let i = 0; i < LIVE_CONSUMERS; i++) {
      const reader = new LogReader({
        brokers: o.brokers,
        clientId: `kafka-shape-${i}`,
        topic,
        idle: { minBytes: o.minBytes, maxWaitMs: o.wait },
        busy: { minBytes: o.busyMinBytes, maxWaitMs: o.busyWait, minRecords: 2 },
        onRecords: (_partition, records) => {
          received[i]! += records.length;
          for (const r of records) latencies.push(Date.now() - (JSON.parse(r.value!.toString()) as { at: number }).at);
        },
        log: (message) => console.error(`reader ${i}: ${message}`),
      });
      readers.push(reader);
      reader.start(new Map(Array.from({ length: o.partitions }, (_, p) => [p, 0n])));
    }
    persister = kafka.consumer({ groupId: `${topic}.persister`, minBytes: 65_536, maxWaitTimeInMs: 100 });
    await persister.connect();
    await persister.subscribe({ topic, fromBeginning: true });
    // As the topology: the persister commits after every batch (kafkajs's autoCommit does).
    await persister.run({
      autoCommit: true,
      eachBatch: (payload) => {
        received[LIVE_CONSUMERS]! += payload.batch.messages.length;
        return Promise.resolve();
      },
    });
    const partitioner = new RoomPartitioner(topic, o.partitions);
    const producers: Array<{ producer: IdempotentProducer; batcher: ProduceBatcher }> = [];
    for (let i = 0; i < PRODUCERS; i++) {
      const producer = new IdempotentProducer({ brokers: o.brokers, clientId: `kafka-shape-producer-${i}`, log: (message) => console.error(`producer ${i}: ${message}`) });
      await producer.connect();
      const batcher = new ProduceBatcher(producer, { topic, partitionOf: (key) => partitioner.partitionOf(key), lingerMs: o.linger, maxBatch: 500 });
      producers.push({ producer, batcher });
    }
    await new Promise((r) => setTimeout(r, 3_000)); // the persister's group joined

    latencies.length = 0;
    const brokerBefore = brokerCpu(o.brokerPid);
    const selfBefore = process.cpuUsage();
    const started = Date.now();
    let sent = 0;
    const ticker = setInterval(() => {
      const due = Math.floor(((Date.now() - started) * o.rate) / 1000) - sent;
      for (let k = 0; k < due; k++, sent++) {
        const roomId = `room-${sent % ROOMS}`;
        const value = JSON.stringify({ v: 1, id: `m-${sent}`.padEnd(36, '0'), roomId, clientMsgId: `c-${sent}`.padEnd(36, '0'), user: { id: 'u'.repeat(21), username: 'kafka-shape' }, text: 'x'.repeat(60), at: Date.now() });
        producers[sent % PRODUCERS]!.batcher.send({ key: roomId, value }).catch(() => undefined);
      }
    }, 10);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    clearInterval(ticker);
    const elapsed = (Date.now() - started) / 1000;
    const self = process.cpuUsage(selfBefore);
    const result = {
      partitions: o.partitions,
      rate: o.rate,
      lingerMs: o.linger,
      liveFetch: `${o.minBytes} B / ${o.wait} ms, busy ${o.busyMinBytes} B / ${o.busyWait} ms`,
      sent,
      brokerCpuMsPerS: Math.round(((brokerCpu(o.brokerPid) - brokerBefore) * 1000) / elapsed),
      clientsCpuMsPerS: Math.round((self.user + self.system) / 1000 / elapsed),
      liveLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      received,
    };
    console.log(JSON.stringify(result));
    await Promise.all(producers.map(async ({ producer, batcher }) => {
      await batcher.close();
      await producer.close();
    }));
  } finally {
    await Promise.all([...readers.map((r) => r.close()), persister?.disconnect()]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);

import { Consumer, type fetchV17 } from '@platformatic/kafka';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { recordsFrom, type LogRecord } from './fetched-records';
import { KAFKA_RETRY } from './kafka-retry';

/** A fetch's wait at the broker: it answers once it has `minBytes` or `maxWaitMs` have passed. */
export interface FetchWait {
  readonly minBytes: number;
  readonly maxWaitMs: number;
}

export interface LogReaderOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly topic: string;
  /** Every fetch, unless the one before it returned at least `busy.minRecords` records (a wait of 0: never busy). */
  readonly idle: FetchWait;
  readonly busy: FetchWait & { readonly minRecords: number };
  /**
   * Called with each partition's new records, in offset order, never twice for one offset and
   * never with a gap the log does not have. Synchronous: the next fetch of the partition waits for it.
   */
  readonly onRecords: (partition: number, records: LogRecord[], highWatermark: bigint) => void;
  readonly log: (message: string) => void;
}

interface Layout {
  readonly topicId: string;
  readonly byLeader: ReadonlyMap<number, number[]>;
}

const PARTITION_MAX_BYTES = 1_048_576;
const FETCH_MAX_BYTES = 8_388_608;

/** Kafka's error code for a fetch offset outside the partition's log. */
const OFFSET_OUT_OF_RANGE = 1;
/** ListOffsets' timestamps for a partition's first offset and its end. */
const EARLIEST = -2n;
const LATEST = -1n;

/**
 * Reads every partition of one topic from offsets chosen by its owner, with no consumer group:
 * Fetch requests to each partition's leader in a loop, one in flight per leader, and nothing
 * else (no joins, heartbeats or offset commits). The owner knows where it is in the log (what it
 * handled); after a failure the reader backs off, refreshes the cluster's metadata and fetches
 * again from the next offset, so a broker restart or a leader change loses and repeats nothing.
 *
 * On @platformatic/kafka's Consumer, whose Fetch takes explicit partitions and offsets: kafkajs
 * has no way to read partitions without a group, and its per-fetch machinery (the runner, the
 * group's fetch queue, its batch objects) was the largest part of a gateway's allocations
 * (docs/benchmarks.md, "The live stream without a consumer group").
 *
 * After a fetch that returned at least `busy.minRecords` records, the next one to that leader
 * waits `busy` at the broker (a few KB or a few ms) so that under traffic each fetch carries
 * several produce requests' records; otherwise it waits `idle` (1 byte: the first record wakes it).
 */
export class LogReader {
  private readonly consumer: Consumer;
  /** Per partition: the next offset to fetch. */
  private readonly next = new Map<number, bigint>();
  /** Leaders (node ids) with a fetch in flight. */
  private readonly inFlight = new Set<number>();
  /** Leaders whose last fetch returned at least `busy.minRecords` records. */
  private readonly busyLeaders = new Set<number>();
  /** The topic's id and each leader's partitions, from the last metadata (none after a failure). */
  private layout: Layout | undefined;
  /** Failed attempts in a row (for the log), and the backoff they have reached (none while fetches succeed). */
  private failures = 0;
  /** The project's backoff between failed fetches (KAFKA_RETRY; cockatiel's exponential, as restartAfterCrashes uses); it never gives up. */
  private readonly backoffs = new ExponentialBackoff({ initialDelay: KAFKA_RETRY.firstMs, maxDelay: KAFKA_RETRY.maxMs });
  private backoff: IBackoff<unknown> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failing = false;

  constructor(private readonly options: LogReaderOptions) {
    this.consumer = new Consumer({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      // The Consumer API asks for a group; this reader never joins it (only Fetch and Metadata).
      groupId: `${options.clientId}.log-reader`,
      // Failures come straight back here: the reader retries every fetch itself, for ever, with
      // fresh metadata, and tells its owner that it is failing meanwhile.
      retries: 0,
      timeout: 10_000,
      metadataMaxAge: 60_000,
    });
  }

  /** Whether the last fetch failed (until one succeeds again): the owner reports it as not ready. */
  get isFailing(): boolean {
    return this.failing;
  }

  /** Starts reading each partition at its offset (the first offset not yet handled). */
  start(from: ReadonlyMap<number, bigint>): void {
    for (const [partition, offset] of from) this.next.set(partition, offset);
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    // Forced: a fetch waiting at the broker is dropped instead of awaited (its answer is ignored).
    await new Promise<void>((resolve) => this.consumer.close(true, () => resolve()));
  }

  /**
   * Sends a fetch to every leader of a partition that has none in flight. The leaders come from
   * the cluster's metadata, asked once and again only after a failure (a fetch sent to a broker
   * that is no longer a partition's leader fails).
   */
  private schedule(): void {
    if (this.closed || this.retryTimer) return;
    if (this.layout) return this.fetchFromIdleLeaders(this.layout);
    this.consumer.metadata({ topics: [this.options.topic] }, (error, metadata) => {
      if (this.closed) return;
      if (error || !metadata) return this.failed(error ?? new Error('no metadata'));
      const topic = metadata.topics.get(this.options.topic);
      if (!topic) return this.failed(new Error(`topic ${this.options.topic} not in the cluster's metadata`));
      const byLeader = new Map<number, number[]>();
      for (const partition of this.next.keys()) {
        const leader = topic.partitions[partition]?.leader;
        if (leader === undefined || leader < 0) return this.failed(new Error(`partition ${partition} has no leader`));
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      }
      this.layout = { topicId: topic.id, byLeader };
      this.fetchFromIdleLeaders(this.layout);
    });
  }

  private fetchFromIdleLeaders(layout: Layout): void {
    for (const [leader, partitions] of layout.byLeader) if (!this.inFlight.has(leader)) this.fetch(leader, layout.topicId, partitions);
  }

  private fetch(leader: number, topicId: string, partitions: number[]): void {
    this.inFlight.add(leader);
    const wait = this.busyLeaders.has(leader) ? this.options.busy : this.options.idle;
    this.consumer.fetch(
      {
        node: leader,
        minBytes: wait.minBytes,
        maxWaitTime: wait.maxWaitMs,
        maxBytes: FETCH_MAX_BYTES,
        topics: [
          {
            topicId,
            partitions: partitions.map((partition) => ({
              partition,
              fetchOffset: this.next.get(partition)!,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
              partitionMaxBytes: PARTITION_MAX_BYTES,
            })),
          },
        ],
      },
      (error, response) => {
        this.inFlight.delete(leader);
        if (this.closed) return;
        // A partition error fails the whole request, but the response still carries the others' records.
        const answered = response ?? (error as { response?: fetchV17.FetchResponse } | undefined)?.response;
        let records = 0;
        const outOfRange: number[] = [];
        try {
          if (answered) records = this.handle(answered, outOfRange);
        } catch (handleError) {
          return this.failed(handleError as Error);
        }
        if (outOfRange.length > 0) return this.relocate(outOfRange);
        if (error) return this.failed(error);
        if (this.options.busy.maxWaitMs > 0 && records >= this.options.busy.minRecords) this.busyLeaders.add(leader);
        else this.busyLeaders.delete(leader);
        if (this.failing) this.options.log(`fetching again after ${this.failures} failed attempt(s)`);
        this.failures = 0;
        this.backoff = undefined;
        this.failing = false;
        this.schedule();
      },
    );
  }

  /**
   * Hands each partition's new records on and returns how many there were; adds the partitions
   * whose offset is outside their log to `outOfRange`.
   */
  private handle(response: fetchV17.FetchResponse, outOfRange: number[]): number {
    let count = 0;
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const from = this.next.get(p.partitionIndex);
        if (from === undefined) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) outOfRange.push(p.partitionIndex);
        if (p.errorCode !== 0 || !p.records) continue;
        const { records, next } = recordsFrom(p.records, from);
        if (next > from) this.next.set(p.partitionIndex, next);
        if (records.length === 0) continue;
        count += records.length;
        this.options.onRecords(p.partitionIndex, records, p.highWatermark);
      }
    }
    return count;
  }

  /**
   * Moves partitions whose next offset is outside their log to its nearest end, then fetches again.
   * Before the log's start: retention removed what was not read yet. Past its end: the log was
   * truncated (an unclean leader election), and what comes next is written from its end.
   */
  private relocate(partitions: number[]): void {
    const topic = this.options.topic;
    const ends = (timestamp: bigint) => this.consumer.listOffsets({ topics: [topic], partitions: { [topic]: partitions }, timestamp });
    Promise.all([ends(EARLIEST), ends(LATEST)]).then(
      ([earliest, latest]) => {
        if (this.closed) return;
        for (const partition of partitions) {
          const from = this.next.get(partition)!;
          const start = earliest.get(topic)?.[partition];
          const end = latest.get(topic)?.[partition];
          if (start === undefined || end === undefined) return this.failed(new Error(`no log ends for partition ${partition}`));
          const resume = from < start ? start : from > end ? end : from;
          this.options.log(`partition ${partition}: offset ${from} is outside the log (${start} to ${end}); reading on from ${resume}`);
          this.next.set(partition, resume);
        }
        this.schedule();
      },
      (error: Error) => this.failed(error),
    );
  }

  private failed(error: Error): void {
    if (this.closed) return;
    this.failures += 1;
    if (!this.failing || this.failures % 30 === 1) this.options.log(`fetch failed (${this.failures} in a row), retrying: ${describe(error)}`);
    this.failing = true;
    // A new leader or a restarted broker: ask the cluster again before the next fetch.
    this.layout = undefined;
    this.consumer.clearMetadata();
    if (this.retryTimer) return;
    this.backoff = this.backoff ? this.backoff.next(undefined) : this.backoffs.next();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, Math.round(this.backoff.duration));
  }
}

function describe(error: Error): string {
  const nested = (error as AggregateError).errors as Error[] | undefined;
  return nested?.length ? `${error.message} (${nested.map((e) => e.message).join('; ')})` : error.message;
}

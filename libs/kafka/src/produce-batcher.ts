import type { IHeaders, Producer } from 'kafkajs';

export interface ProduceRecord {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers?: IHeaders;
}

/** Where the broker wrote a record: its partition and offset (assigned once, by the broker). */
export interface ProducedPosition {
  readonly partition: number;
  readonly offset: bigint;
}

export interface ProduceBatcherOptions {
  readonly topic: string;
  /** The record's partition (MessagesTopic.partitionOf: the Java client's murmur2 of the key). */
  partitionOf(key: string): number;
  /** How long the first record of a batch waits for company. */
  readonly lingerMs: number;
  /** A batch is sent at once when it reaches this many records. */
  readonly maxBatch: number;
}

interface Pending {
  readonly record: ProduceRecord;
  readonly partition: number;
  resolve(position: ProducedPosition): void;
  reject(error: unknown): void;
}

/** Observes each flushed batch (for metrics); never throws into the send path. */
export type BatchObserver = (size: number, durationMs: number, error?: unknown) => void;

/**
 * Collects records for a few milliseconds and sends them in one produce request (one record
 * batch per partition), with acks from all in-sync replicas. Each caller's promise resolves only
 * after the broker acknowledged its record, with the record's offset: records of one partition in
 * one request are appended contiguously in the order given, so offset = baseOffset + index.
 *
 * One request is in flight at a time; records arriving meanwhile form the next batch, so under
 * load batches grow by themselves and at low load a record waits at most `lingerMs`.
 */
export class ProduceBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly producer: Producer,
    private readonly options: ProduceBatcherOptions,
    private readonly observe: BatchObserver = () => undefined,
  ) {}

  /**
   * Queues a record. If `signal` aborts while the record still waits in the queue, it is taken out
   * and never sent (the caller can tell its client "not sent"); once its request is under way the
   * outcome belongs to the broker and the promise settles with it.
   */
  send(record: ProduceRecord, signal?: AbortSignal): Promise<ProducedPosition> {
    if (this.closed) return Promise.reject(new Error('producer is closed'));
    if (signal?.aborted) return Promise.reject(new Error('aborted before it was queued'));
    return new Promise<ProducedPosition>((resolve, reject) => {
      const pending: Pending = { record, partition: this.options.partitionOf(record.key), resolve, reject };
      this.queue.push(pending);
      signal?.addEventListener('abort', () => this.withdraw(pending), { once: true });
      this.schedule();
    });
  }

  /** Sends what is queued and waits for every outstanding acknowledgement; refuses new records. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight || this.queue.length > 0) {
      if (!this.inFlight) this.flush();
      await this.inFlight;
    }
  }

  private withdraw(pending: Pending): void {
    const index = this.queue.indexOf(pending);
    if (index < 0) return; // already sent
    this.queue.splice(index, 1);
    pending.reject(new Error('withdrawn before it was sent'));
  }

  private schedule(): void {
    if (this.inFlight) return; // the end of the current request flushes the queue
    if (this.queue.length >= this.options.maxBatch || this.options.lingerMs === 0) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.options.lingerMs);
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0) this.flush();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: batch.map((p) => ({
          key: p.record.key,
          value: p.record.value,
          headers: p.record.headers,
          partition: p.partition,
        })),
      });
      const baseOffsets = new Map<number, bigint>();
      for (const r of results) baseOffsets.set(r.partition, BigInt(r.baseOffset ?? '-1'));
      const nextIndex = new Map<number, bigint>();
      for (const p of batch) {
        const base = baseOffsets.get(p.partition);
        if (base === undefined || base < 0n) {
          p.reject(new Error(`no offset returned for partition ${p.partition}`));
          continue;
        }
        const index = nextIndex.get(p.partition) ?? 0n;
        nextIndex.set(p.partition, index + 1n);
        p.resolve({ partition: p.partition, offset: base + index });
      }
      this.observe(batch.length, performance.now() - started);
    } catch (error) {
      for (const p of batch) p.reject(error);
      this.observe(batch.length, performance.now() - started, error);
    }
  }
}

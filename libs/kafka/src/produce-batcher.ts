import type { RecordWriter, WriteOutcome } from './idempotent-producer';

export interface ProduceRecord {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
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

/** How late, at most, a caller is answered after its deadline. */
const EXPIRY_STEP_MS = 50;

interface Pending {
  readonly record: ProduceRecord;
  readonly partition: number;
  /** When the caller is answered, whatever the broker does (ms since the epoch; Infinity: never). */
  readonly deadline: number;
  readonly timeoutMs?: number;
  /** Taken into a request: from then on the record may be written, whatever its caller hears. */
  sent: boolean;
  resolve(position: ProducedPosition): void;
  reject(error: unknown): void;
}

/** Observes each flushed batch (for metrics): its records, how many were written; never throws into the send path. */
export type BatchObserver = (size: number, durationMs: number, written: number, error?: unknown) => void;

/**
 * Collects records for a few milliseconds and sends them in one produce request (one record
 * batch per partition), with acks from all in-sync replicas. Each caller's promise resolves only
 * after the broker acknowledged its record, with the record's offset: records of one partition in
 * one request are appended contiguously in the order given, so offset = baseOffset + index.
 *
 * One request is in flight at a time; records arriving meanwhile form the next batch, so under
 * load batches grow by themselves and at low load a record waits at most `lingerMs`.
 *
 * Each caller may give a time limit, kept here rather than by a timer and an AbortSignal per record
 * (a generic timeout wrapper cost ~10 µs per send, a few per cent of a gateway): one timer, armed
 * for the earliest deadline, answers every caller whose time is up.
 */
export class ProduceBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  /** Every record whose caller has no answer yet, queued or sent. */
  private readonly unanswered = new Set<Pending>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineTimerAt = Infinity;

  constructor(
    private readonly writer: RecordWriter,
    private readonly options: ProduceBatcherOptions,
    private readonly observe: BatchObserver = () => undefined,
  ) {}

  /**
   * Queues a record; the promise resolves once the broker acknowledged it. With `timeoutMs`, the
   * caller is answered by then whatever happens: a record still in the queue is withdrawn and never
   * sent ("withdrawn before it was sent"); one whose request is under way may still be written (an
   * ambiguous failure: "no answer within N ms"), and what the broker says later is ignored.
   */
  send(record: ProduceRecord, timeoutMs?: number): Promise<ProducedPosition> {
    if (this.closed) return Promise.reject(new Error('producer is closed'));
    return new Promise<ProducedPosition>((resolve, reject) => {
      const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
      const pending: Pending = { record, partition: this.options.partitionOf(record.key), deadline, timeoutMs, sent: false, resolve, reject };
      this.unanswered.add(pending);
      this.queue.push(pending);
      if (deadline < this.deadlineTimerAt) this.armDeadline(deadline);
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

  /** Answers the caller once; a caller answered already (its deadline passed) hears nothing more. */
  private answer(pending: Pending, outcome: { position: ProducedPosition } | { error: unknown }): void {
    if (!this.unanswered.delete(pending)) return;
    if ('position' in outcome) pending.resolve(outcome.position);
    else pending.reject(outcome.error);
  }

  private armDeadline(at: number): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimerAt = at;
    this.deadlineTimer = setTimeout(() => this.expire(), Math.max(0, at - Date.now()));
    // A deadline is for callers still waiting; it never keeps a process alive by itself.
    this.deadlineTimer.unref();
  }

  private expire(): void {
    this.deadlineTimer = undefined;
    this.deadlineTimerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    let withdrawn = false;
    for (const pending of this.unanswered) {
      if (pending.deadline > now) {
        next = Math.min(next, pending.deadline);
        continue;
      }
      withdrawn ||= !pending.sent;
      const error = pending.sent
        ? new Error(`no answer within ${pending.timeoutMs} ms (the record may still be written)`)
        : new Error('withdrawn before it was sent');
      this.answer(pending, { error });
    }
    if (withdrawn) this.queue = this.queue.filter((p) => this.unanswered.has(p));
    // Not sooner than EXPIRY_STEP_MS: when the broker is gone, thousands of callers wait with
    // deadlines a millisecond apart, and each pass reads them all.
    if (next < Infinity) this.armDeadline(Math.max(next, now + EXPIRY_STEP_MS));
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
    for (const p of batch) p.sent = true;
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0) this.flush();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    let outcome: WriteOutcome;
    try {
      outcome = await this.writer.write(
        this.options.topic,
        batch.map((p) => ({ key: p.record.key, value: p.record.value, headers: p.record.headers, partition: p.partition })),
      );
    } catch (error) {
      outcome = { baseOffsets: new Map<number, bigint>(), error: error instanceof Error ? error : new Error(String(error)) };
    }
    const { baseOffsets, error } = outcome;
    const nextIndex = new Map<number, bigint>();
    let written = 0;
    for (const p of batch) {
      const base = baseOffsets.get(p.partition);
      if (base === undefined) {
        this.answer(p, { error: error ?? new Error(`no offset returned for partition ${p.partition}`) });
        continue;
      }
      const index = nextIndex.get(p.partition) ?? 0n;
      nextIndex.set(p.partition, index + 1n);
      written += 1;
      this.answer(p, { position: { partition: p.partition, offset: base + index } });
    }
    this.observe(batch.length, performance.now() - started, written, error);
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { decodeChatRecord, type ChatMessage } from '@app/contracts';
import { KAFKA_CLIENT, LogReader, MessagesTopic, retryRetriable, type LogRecord, type ProducedPosition } from '@app/kafka';
import { ChatMetrics, type DependencyProbe } from '@app/observability';
import { LocalSockets } from '../socket/local-sockets';
import { JoinBuffer } from './join-buffer';
import { LogPositions } from './log-positions';
import { RetryWindow, type FirstRecord } from './retry-window';
import { RoomLastSeqs } from './room-last-seqs';
import { RoomTails } from './room-tails';

/**
 * This replica's reader of the whole chat topic: every partition, emitted to its own sockets in
 * each room (Socket.IO `local` rooms; no second broadcast channel).
 *
 * At start-up it first reads the retry window's worth of the log (records newer than the window,
 * up to the end offsets found at start) into its RetryWindow without delivering them, so that it
 * judges repeats of a send exactly like the replicas that were already running; only then does
 * the app listen. From the end offsets on, records are delivered.
 *
 * It reads with a LogReader, not a consumer group: this replica alone decides where it starts,
 * and knows exactly what it has handled per partition from the first moment (the position a join
 * compares history against, and where the reader resumes after a broker restart). Nothing is
 * committed: a restarted replica starts anew, and its clients recover with `since`.
 */

/** The live stream's reader, for its probe (LiveStreamProbe is built by the health module, apart from LiveStream). */
const stream: { reader?: LogReader } = {};

/**
 * Readiness of the live stream: down while it is not reading the log (before it started, or while
 * its fetches fail). Sends on this replica answer `unavailable` meanwhile, so /health says so.
 */
@Injectable()
export class LiveStreamProbe implements DependencyProbe {
  readonly name = 'live-stream';

  probe(): Promise<void> {
    return stream.reader && !stream.reader.isFailing ? Promise.resolve() : Promise.reject(new Error('the live stream is not reading the log'));
  }
}

@Injectable()
export class LiveStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveStream.name);
  private reader: LogReader | undefined;
  private readonly handled = new LogPositions();
  private readonly lastSeqs = new RoomLastSeqs((roomId) => this.topic.partitionOf(roomId));
  /** Per partition: the last offset of the start-up read (handled, never delivered). */
  private readonly replayUntil = new Map<number, bigint>();
  private readonly joining = new Map<string, Set<JoinBuffer>>();
  /** Per partition: the log's end at the last fetch (its lag is scraped, not set per fetch). */
  private readonly highWatermarks = new Map<number, bigint>();

  constructor(
    private readonly sockets: LocalSockets,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly topic: MessagesTopic,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
    private readonly tails: RoomTails,
    private readonly retries: RetryWindow,
  ) {
    metrics.onScrape(() => {
      metrics.retryWindowSends.set(retries.size);
      metrics.roomTailMessages.set(tails.size.messages);
      for (const [partition, end] of this.highWatermarks) {
        metrics.consumerLag.set({ consumer: 'live', partition: String(partition) }, Number(end - this.handled.get(partition) - 1n));
      }
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.topic.ensure();
    const started = performance.now();
    const { from, replayed } = await this.chooseStart();
    const caughtUp = this.untilCaughtUp();

    const { kafka } = this.config;
    const reader = new LogReader({
      brokers: kafka.brokers,
      clientId: `${kafka.clientId}-${this.config.instanceId}-live`,
      topic: this.topic.name,
      idle: { minBytes: kafka.liveFetch.minBytes, maxWaitMs: kafka.liveFetch.maxWaitMs },
      // Under traffic a fetch gathers a few ms of records; idle, the first record wakes it.
      busy: kafka.liveFetch.busy,
      onRecords: (partition, records, highWatermark) => this.onRecords(partition, records, highWatermark),
      log: (message) => this.logger.warn(`live stream: ${message}`),
    });
    this.reader = reader;
    stream.reader = reader;
    reader.start(from);
    await caughtUp;
    this.logger.log(
      `live stream reading ${this.handled.partitions} partitions of ${this.topic.name}; ` +
        `${replayed} records of the retry window read in ${Math.round(performance.now() - started)} ms`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (stream.reader === this.reader) stream.reader = undefined;
    await this.reader?.close();
  }

  /** The first record of a send, if this replica read one within the retry window. */
  firstOf(roomId: string, clientMsgId: string): FirstRecord | undefined {
    return this.retries.firstOf(roomId, clientMsgId, Date.now());
  }

  /** Resolves true once this replica has read the log up to `position` (false after `timeoutMs`). */
  hasRead(position: ProducedPosition, timeoutMs: number): Promise<boolean> {
    return this.handled.reached(position.partition, position.offset, timeoutMs);
  }

  /** The seq history must reach before it can answer a join of the room registered at `untilSeq` (RoomLastSeqs). */
  historyNeeded(roomId: string, partition: number, untilSeq: number): number {
    return this.lastSeqs.historyNeeded(roomId, partition, untilSeq);
  }

  /**
   * Registers a join: from now on this room's live messages are held in the returned buffer
   * until `finishJoin`. Synchronous on purpose: no live message can slip between reading the
   * handled position and registering.
   */
  beginJoin(roomId: string, partition: number): JoinBuffer {
    const buffer = new JoinBuffer(roomId, Number(this.handled.get(partition) + 1n));
    // From here on the room's messages are also kept for later joins (RoomTails).
    this.tails.track(roomId, buffer.untilSeq + 1);
    let set = this.joining.get(roomId);
    if (!set) this.joining.set(roomId, (set = new Set()));
    set.add(buffer);
    return buffer;
  }

  endJoin(buffer: JoinBuffer): void {
    const set = this.joining.get(buffer.roomId);
    set?.delete(buffer);
    if (set?.size === 0) this.joining.delete(buffer.roomId);
  }

  /**
   * Where reading starts, per partition: the first record newer than the retry window (and its
   * slack), so the window is read before anything is delivered. Also returns how many records
   * that read covers.
   */
  private async chooseStart(): Promise<{ from: Map<number, bigint>; replayed: number }> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const since = Date.now() - this.retries.windowMs - this.retries.slackMs;
      const ends = await retryRetriable('reading partition ends', () => admin.fetchTopicOffsets(this.topic.name));
      const starts = await this.windowStarts(admin, since);
      const from = new Map<number, bigint>();
      let replayed = 0;
      for (const end of ends) {
        const start = starts.get(end.partition) ?? BigInt(end.high);
        from.set(end.partition, start);
        this.replayUntil.set(end.partition, BigInt(end.high) - 1n);
        this.handled.set(end.partition, start - 1n);
        this.lastSeqs.startAt(end.partition, start);
        replayed += Number(BigInt(end.high) - start);
      }
      return { from, replayed };
    } finally {
      await admin.disconnect();
    }
  }

  private async windowStarts(admin: Admin, since: number): Promise<Map<number, bigint>> {
    const offsets = await retryRetriable('finding the retry window in the log', () => admin.fetchTopicOffsetsByTimestamp(this.topic.name, since));
    return new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]));
  }

  /** Resolves once every partition is read up to the end it had at start-up. */
  private untilCaughtUp(): Promise<void> {
    const behind = [...this.replayUntil].filter(([p, until]) => this.handled.get(p) < until);
    return Promise.all(behind.map(([p, until]) => this.handled.reached(p, until))).then(() => undefined);
  }

  /** A partition's new records, in order (LogReader hands on each offset once). */
  private onRecords(partition: number, records: LogRecord[], highWatermark: bigint): void {
    const replayUntil = this.replayUntil.get(partition) ?? -1n;
    for (const record of records) {
      const decoded = decodeChatRecord(record.key, record.value, record.offset);
      // What the persister dead-letters is never delivered live either: both read it the same way.
      if (!decoded.ok) this.logger.warn(`skipping partition ${partition} offset ${record.offset}: ${decoded.reason}`);
      else {
        this.lastSeqs.read(decoded.message.roomId, decoded.message.seq);
        if (this.retries.remember(decoded.message, record.timestamp)) this.metrics.repeatsDropped.inc();
        else if (record.offset > replayUntil) this.deliver(decoded.message);
      }
      this.handled.set(partition, record.offset);
    }
    this.handled.release(partition);
    this.highWatermarks.set(partition, highWatermark);
  }

  private deliver(message: ChatMessage): void {
    this.metrics.messagesDelivered.inc(this.sockets.toRoom(message.roomId, 'message', { message }));
    this.tails.append(message);
    const buffers = this.joining.get(message.roomId);
    if (buffers) for (const b of buffers) b.hold(message);
  }
}

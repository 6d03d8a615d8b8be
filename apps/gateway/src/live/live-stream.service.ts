import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { decodeChatRecord, type ChatMessage } from '@app/contracts';
import { commitGroupStart, GroupMembership, KAFKA_CLIENT, MessagesTopic, restartAfterCrashes, retryRetriable, type ProducedPosition } from '@app/kafka';
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
 * kafkajs has no manual partition assignment, so the stream is a consumer group of one with a
 * group id unique to this process, started at the offsets chosen at start-up; it commits what it
 * handled every few seconds, only so that a rejoin after a broker restart resumes near where it
 * was instead of re-reading everything since start (a restarted replica's clients recover with
 * `since`). Knowing the exact start makes "what this replica has handled" exact per partition
 * from the first moment: the position a join compares history against.
 */
/** How often the live stream commits the position it resumes from after a rejoin. */
const RESUME_COMMIT_MS = 5_000;

/** Whether this replica's live stream is a member of its group (set by LiveStream). */
const membership = new GroupMembership();

/**
 * Readiness of the live stream: down while it is not reading the log (after a crash, until it
 * rejoined its group). Sends on this replica answer `unavailable` meanwhile, so /health says so.
 */
@Injectable()
export class LiveStreamProbe implements DependencyProbe {
  readonly name = 'live-stream';

  probe(): Promise<void> {
    return membership.joined ? Promise.resolve() : Promise.reject(new Error('the live stream is not reading the log'));
  }
}

@Injectable()
export class LiveStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveStream.name);
  private consumer: Consumer | undefined;
  private readonly handled = new LogPositions();
  private readonly lastSeqs = new RoomLastSeqs((roomId) => this.topic.partitionOf(roomId));
  /** Per partition: the last offset of the start-up read (handled, never delivered). */
  private readonly replayUntil = new Map<number, bigint>();
  private readonly joining = new Map<string, Set<JoinBuffer>>();
  private groupId: string | undefined;
  private stopRestarts: (() => void) | undefined;

  constructor(
    private readonly sockets: LocalSockets,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly topic: MessagesTopic,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
    private readonly tails: RoomTails,
    private readonly retries: RetryWindow,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.topic.ensure();
    const groupId = `gateway-live.${this.config.instanceId}.${randomUUID()}`;
    this.groupId = groupId;
    const started = performance.now();
    const replayed = await this.chooseStart(groupId);
    const caughtUp = this.untilCaughtUp();

    const { liveFetch } = this.config.kafka;
    const consumer = this.kafka.consumer({
      groupId,
      // The group is this process alone, so a short session costs nothing in rebalances; it
      // bounds how long a rejoin after a broker restart waits for this process's previous member
      // (kafkajs rejoins as a new one) to expire: the broker's minimum, 6 s.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      minBytes: liveFetch.minBytes,
      maxWaitTimeInMs: liveFetch.maxWaitMs,
      // Under traffic a fetch gathers a few ms of records; idle, the first record wakes it (busy-fetch.ts).
      busyFetch: { minBytes: liveFetch.busy.minBytes, maxWaitTimeInMs: liveFetch.busy.maxWaitMs, minRecords: liveFetch.busy.minRecords },
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    membership.follow(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic.name, fromBeginning: false });
    consumer.on(consumer.events.COMMIT_OFFSETS, () => this.metrics.offsetCommits.inc({ consumer: 'live' }));
    // kafkajs with autoCommit commits after every batch, whatever the interval says: at 1,000
    // sends/s that was ~400 OffsetCommit requests a second per gateway, more than its fetches, each
    // one a write to __consumer_offsets and a round trip before the next fetch. The position is only
    // a resume hint (see above), so onBatch commits it itself, at most every RESUME_COMMIT_MS.
    const run = () => consumer.run({ autoCommit: false, autoCommitInterval: RESUME_COMMIT_MS, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
    // A stream that stopped would leave every send here unanswered but `unavailable`. It rejoins
    // its group and resumes from its committed position; what it handled already is skipped.
    this.stopRestarts = restartAfterCrashes(consumer, { run, log: (message) => this.logger.warn(`live stream: ${message}`) });
    await run();
    await joined;
    await caughtUp;
    this.logger.log(
      `live stream reading ${this.handled.partitions} partitions of ${this.topic.name}; ` +
        `${replayed} records of the retry window read in ${Math.round(performance.now() - started)} ms`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopRestarts?.();
    await this.consumer?.disconnect();
    // The group was only this process; remove its committed position so groups do not pile up.
    if (this.groupId) {
      const admin = this.kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([this.groupId!]))
        .catch((error: Error) => this.logger.warn(`could not delete group ${this.groupId}: ${error.message}`))
        .finally(() => admin.disconnect());
    }
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
   * Commits the group's start: per partition the first record newer than the retry window (and
   * its slack), so the window is read before anything is delivered. Returns how many records
   * that read covers.
   */
  private async chooseStart(groupId: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const since = Date.now() - this.retries.windowMs - this.retries.slackMs;
      const ends = await retryRetriable('reading partition ends', () => admin.fetchTopicOffsets(this.topic.name));
      const starts = await this.windowStarts(admin, since);
      let replayed = 0;
      for (const end of ends) {
        const start = starts.get(end.partition) ?? BigInt(end.high);
        this.replayUntil.set(end.partition, BigInt(end.high) - 1n);
        this.handled.set(end.partition, start - 1n);
        this.lastSeqs.startAt(end.partition, start);
        replayed += Number(BigInt(end.high) - start);
      }
      await retryRetriable('committing the live stream start', () =>
        commitGroupStart(
          this.kafka,
          groupId,
          this.topic.name,
          [...this.replayUntil.keys()].map((partition) => ({ partition, offset: (this.handled.get(partition) + 1n).toString() })),
        ),
      );
      return replayed;
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

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs hands closures, typed as methods (its docs destructure them)
  private async onBatch({ batch, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const replayUntil = this.replayUntil.get(partition) ?? -1n;
    // The loop never awaits, so nothing can stop the consumer or move the partition (a rebalance,
    // a seek) while it runs: asked once, and the position resolved once, after the last record.
    if (!isRunning() || isStale()) return;
    let lastHandled: string | undefined;
    for (const record of batch.messages) {
      const offset = BigInt(record.offset);
      // Never deliver a position twice (a refetch after a broker hiccup or a rejoin re-reads).
      if (offset <= this.handled.get(partition)) continue;
      const decoded = decodeChatRecord(record.key, record.value, record.offset);
      // What the persister dead-letters is never delivered live either: both read it the same way.
      if (!decoded.ok) this.logger.warn(`skipping partition ${partition} offset ${record.offset}: ${decoded.reason}`);
      else {
        this.lastSeqs.read(decoded.message.roomId, decoded.message.seq);
        if (this.retries.remember(decoded.message, Number(record.timestamp))) this.metrics.repeatsDropped.inc();
        else if (offset > replayUntil) this.deliver(decoded.message);
      }
      this.handled.set(partition, offset);
      lastHandled = record.offset;
    }
    if (lastHandled !== undefined) resolveOffset(lastHandled);
    this.handled.release(partition);
    this.metrics.retryWindowSends.set(this.retries.size);
    const last = batch.messages.at(-1);
    if (last) this.metrics.consumerLag.set({ consumer: 'live', partition: String(partition) }, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
    // Commits what was resolved once RESUME_COMMIT_MS have passed since the last commit. A failed
    // commit costs only a longer re-read after a rejoin (positions already handled are skipped).
    await commitOffsetsIfNecessary().catch((error: Error) => this.logger.warn(`live stream position not committed: ${error.message}`));
    // No heartbeat here: kafkajs's runner sends one after every batch, and this loop never waits.
  }

  private deliver(message: ChatMessage): void {
    this.metrics.messagesDelivered.inc(this.sockets.toRoom(message.roomId, 'message', { message }));
    this.tails.append(message);
    const buffers = this.joining.get(message.roomId);
    if (buffers) for (const b of buffers) b.hold(message);
  }
}

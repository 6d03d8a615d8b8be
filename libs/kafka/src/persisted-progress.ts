import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { ChatError } from '@app/contracts';
import { KAFKA_CLIENT } from './kafka.tokens';
import { MessagesTopic, PERSISTER_GROUP_ID } from './messages-topic';

/** How long a cached read of the persister's offsets is reused by concurrent joins. */
const FRESH_MS = 40;

/**
 * How far history is complete: the persister commits a partition's offset only after MongoDB
 * acknowledged the batch, so its committed offset is exactly "everything below is in history".
 * A join waits here, within a bound, until history reaches the position the live stream handled;
 * the api tells here which history pages can no longer change (HistoryPages).
 */
@Injectable()
export class PersistedProgress implements OnApplicationShutdown {
  private admin: Admin | undefined;
  /** The newest read and when it was asked for (an answer is as old as its request). */
  private cached: { at: number; offsets: Promise<Map<number, bigint>> } | undefined;
  private readingAhead = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly topic: MessagesTopic,
  ) {}

  /** The partition's committed offset: every offset below it is in MongoDB (read at most every 40 ms). */
  async committed(partition: number): Promise<bigint> {
    return (await this.read()).get(partition) ?? 0n;
  }

  /** Resolves when every offset below `nextOffset` of `partition` is in MongoDB. */
  async waitFor(partition: number, nextOffset: number, timeoutMs: number): Promise<void> {
    if (nextOffset <= 0) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const committed = await this.committed(partition);
      if (committed >= BigInt(nextOffset)) return;
      if (Date.now() >= deadline) {
        throw new ChatError('unavailable', 'history is catching up; retry the join shortly', 1000);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }

  /**
   * One OffsetFetch shared by all readers of the same moment. While readers keep coming, the next
   * one is asked for ahead, once the answer in hand is half its freshness old: busy readers (the
   * newest history page, many times a second) then seldom wait for a round trip to Kafka, and
   * no answer they get is older than before (FRESH_MS from its request).
   */
  private read(): Promise<Map<number, bigint>> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < FRESH_MS) {
      if (now - this.cached.at >= FRESH_MS / 2) this.readAhead(now);
      return this.cached.offsets;
    }
    const offsets = this.fetch();
    this.cached = { at: now, offsets };
    offsets.catch(() => (this.cached = undefined));
    return offsets;
  }

  private readAhead(now: number): void {
    if (this.readingAhead) return;
    this.readingAhead = true;
    const offsets = this.fetch();
    offsets
      .then(() => {
        if (!this.cached || this.cached.at < now) this.cached = { at: now, offsets };
      })
      .catch(() => undefined) // the next reader past FRESH_MS asks again, and gets the error if it lasts
      .finally(() => (this.readingAhead = false));
  }

  private async fetch(): Promise<Map<number, bigint>> {
    try {
      if (!this.admin) {
        this.admin = this.kafka.admin();
        await this.admin.connect();
      }
      const [topic] = await this.admin.fetchOffsets({ groupId: PERSISTER_GROUP_ID, topics: [this.topic.name] });
      return new Map((topic?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]));
    } catch {
      throw new ChatError('unavailable', 'cannot read the history position from Kafka; retry later', 1000);
    }
  }
}

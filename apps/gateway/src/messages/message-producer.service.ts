import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError } from '@app/contracts';
import { ChatMetrics } from '@app/observability';
import { callDependency } from '@app/resilience';
import { createChatProducer, KAFKA_CLIENT, MessagesTopic, ProduceBatcher, type ProduceRecord, type ProducedPosition } from '@app/kafka';

/**
 * The gateway's Kafka producer: idempotent (a retried request is written once), acks from all
 * in-sync replicas, and batched (linger of a few ms, one request per flush) by ProduceBatcher.
 */
@Injectable()
export class MessageProducer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: Producer;
  private batcher: ProduceBatcher | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly topic: MessagesTopic,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
  ) {
    this.producer = createChatProducer(kafka);
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.producer.connect(), this.topic.ensure()]);
    const topic = this.topic;
    this.batcher = new ProduceBatcher(this.producer, {
      topic: topic.name,
      partitionOf: (roomId) => topic.partitionOf(roomId),
      lingerMs: this.config.kafka.lingerMs,
      maxBatch: this.config.kafka.maxBatch,
    }, (size, durationMs, error) => {
      this.metrics.produceBatchSize.observe(size);
      this.metrics.produceLatency.observe(durationMs / 1000);
      if (!error) this.metrics.messagesProduced.inc(size);
    });
  }

  /**
   * Resolves once Kafka acknowledged the record. Any failure, and no answer within `timeoutMs`, is
   * `unavailable` (retry later). At the deadline a record still queued here is withdrawn; one whose
   * request is under way may still be written (an ambiguous failure): the client's retry with the
   * same clientMsgId is then answered with it, as every gateway reads it from the log (RetryWindow).
   */
  async send(record: ProduceRecord, timeoutMs: number): Promise<ProducedPosition> {
    if (!this.batcher) throw new ChatError('unavailable', 'the gateway is starting');
    const batcher = this.batcher;
    // The batcher keeps the time limit itself (one timer for all sends, not one per send).
    return callDependency('kafka', () => batcher.send(record, timeoutMs), { timeoutMs, what: 'producing', limitedByOperation: true });
  }

  /** Finishes in-flight sends (their clients get their acks) before the connection closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.batcher?.close();
    await this.producer.disconnect();
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError } from '@app/contracts';
import { ChatMetrics } from '@app/observability';
import { callDependency } from '@app/resilience';
import { IdempotentProducer, MessagesTopic, ProduceBatcher, type ProduceRecord, type ProducedPosition } from '@app/kafka';

/**
 * The gateway's Kafka producer: idempotent (a retried request is written once), acks from all
 * in-sync replicas, and batched (linger of a few ms, one request per flush) by ProduceBatcher.
 */
@Injectable()
export class MessageProducer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MessageProducer.name);
  private readonly producer: IdempotentProducer;
  private batcher: ProduceBatcher | undefined;

  constructor(
    private readonly topic: MessagesTopic,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
  ) {
    this.producer = new IdempotentProducer({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-${config.instanceId}-producer`,
      log: (message) => this.logger.warn(message),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.producer.connect(), this.topic.ensure()]);
    const topic = this.topic;
    this.batcher = new ProduceBatcher(this.producer, {
      topic: topic.name,
      partitionOf: (roomId) => topic.partitionOf(roomId),
      lingerMs: this.config.kafka.lingerMs,
      maxBatch: this.config.kafka.maxBatch,
    }, (size, durationMs, written) => {
      this.metrics.produceBatchSize.observe(size);
      this.metrics.produceLatency.observe(durationMs / 1000);
      this.metrics.messagesProduced.inc(written);
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
    await this.producer.close();
  }
}

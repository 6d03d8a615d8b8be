import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { IdempotentProducer, MessagesTopic } from '@app/kafka';

export interface DeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
}

/**
 * Records that can never be written go to the dead-letter topic with the reason and their origin,
 * so one bad record does not stop its partition and nothing is silently dropped. At least once:
 * a write that fails after the broker appended it is retried by the consumer, so a letter can
 * appear twice; its source-partition and source-offset headers name the one record it stands for.
 */
@Injectable()
export class DeadLetters implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadLetters.name);
  private readonly producer: IdempotentProducer;

  constructor(
    private readonly topic: MessagesTopic,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.producer = new IdempotentProducer({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-${config.instanceId}-dead-letters`,
      log: (message) => this.logger.warn(message),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
  }

  async send(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const { error } = await this.producer.write(
      this.topic.deadLetterName,
      letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          reason: l.reason,
          'source-topic': this.topic.name,
          'source-partition': String(l.partition),
          'source-offset': l.offset,
        },
      })),
    );
    if (error) throw error;
  }
}

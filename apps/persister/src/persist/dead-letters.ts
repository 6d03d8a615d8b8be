import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { createChatProducer, KAFKA_CLIENT, MessagesTopic } from '@app/kafka';

export interface DeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
}

/**
 * Records that can never be written go to the dead-letter topic with the reason and their origin,
 * so one bad record does not stop its partition and nothing is silently dropped.
 */
@Injectable()
export class DeadLetters implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: Producer;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly topic: MessagesTopic,
  ) {
    this.producer = createChatProducer(kafka);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  async send(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic.deadLetterName,
      acks: -1,
      messages: letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          reason: l.reason,
          'source-topic': this.topic.name,
          'source-partition': String(l.partition),
          'source-offset': l.offset,
        },
      })),
    });
  }
}

import { Global, Module } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { kafkaLogCreator } from './kafka-log';
import { KAFKA_CLIENT } from './kafka.tokens';
import { MessagesTopic } from './messages-topic';

@Global()
@Module({
  providers: [
    {
      provide: KAFKA_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Kafka({
          clientId: `${config.kafka.clientId}-${config.instanceId}`,
          brokers: config.kafka.brokers,
          logLevel: logLevel.WARN,
          logCreator: kafkaLogCreator,
          // Backoff capped at 1 s, so after a broker outage every client is back within a second
          // of it (the default cap of 30 s kept sends failing for ~6 s after it was up), and 30
          // retries (~28 s) before kafkajs gives up: a consumer that gives up restarts as a new
          // group member, which waits for its old self to expire (the live stream's 6 s session).
          retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 30 },
        }),
    },
    MessagesTopic,
  ],
  exports: [KAFKA_CLIENT, MessagesTopic],
})
export class KafkaModule {}

import { Global, Module } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { kafkaLogCreator } from './kafka-log';
import { KAFKA_RETRY } from './kafka-retry';
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
          // The project's backoff (KAFKA_RETRY). A consumer that gives up after its retries
          // restarts as a new group member (restartAfterCrashes).
          retry: { initialRetryTime: KAFKA_RETRY.firstMs, maxRetryTime: KAFKA_RETRY.maxMs, retries: KAFKA_RETRY.retries },
        }),
    },
    MessagesTopic,
  ],
  exports: [KAFKA_CLIENT, MessagesTopic],
})
export class KafkaModule {}

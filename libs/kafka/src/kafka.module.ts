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
          retry: { initialRetryTime: 100, retries: 8 },
        }),
    },
    MessagesTopic,
  ],
  exports: [KAFKA_CLIENT, MessagesTopic],
})
export class KafkaModule {}

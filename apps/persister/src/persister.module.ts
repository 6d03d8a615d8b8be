import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { KafkaModule, KafkaProbe } from '@app/kafka';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { DeadLetters } from './persist/dead-letters';
import { MessagesConsumer, PersisterGroupProbe } from './persist/messages.consumer';

@Module({
  imports: [
    ConfigModule.forRoot('persister'),
    LoggingModule.forRoot(),
    MetricsModule,
    KafkaModule,
    MongoModule,
    HealthModule.forProbes([KafkaProbe, MongoProbe, PersisterGroupProbe]),
  ],
  providers: [DeadLetters, MessagesConsumer],
})
export class PersisterModule {}

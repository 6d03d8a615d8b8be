import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { KafkaModule, KafkaProbe } from '@app/kafka';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule } from '@app/observability';
import { RedisModule, RedisProbe } from '@app/redis';

@Module({
  imports: [
    ConfigModule.forRoot('gateway'),
    LoggingModule,
    KafkaModule,
    MongoModule,
    RedisModule,
    HealthModule.forProbes([KafkaProbe, MongoProbe, RedisProbe]),
  ],
})
export class GatewayModule {}

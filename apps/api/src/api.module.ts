import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule } from '@app/observability';

@Module({
  imports: [ConfigModule.forRoot('api'), LoggingModule, MongoModule, HealthModule.forProbes([MongoProbe])],
})
export class ApiModule {}

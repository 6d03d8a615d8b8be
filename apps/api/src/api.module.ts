import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '@app/auth';
import { ConfigModule } from '@app/config';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule } from '@app/observability';
import { RedisModule, RedisProbe } from '@app/redis';
import { AuthController } from './auth/auth.controller';
import { ChatErrorFilter } from './http/chat-error.filter';
import { RoomReaper } from './rooms/room-reaper.service';
import { RoomViewsService } from './rooms/room-views.service';
import { RoomsController } from './rooms/rooms.controller';

@Module({
  imports: [
    ConfigModule.forRoot('api'),
    LoggingModule,
    MongoModule,
    RedisModule,
    AuthModule,
    HealthModule.forProbes([MongoProbe, RedisProbe]),
  ],
  controllers: [AuthController, RoomsController],
  providers: [RoomViewsService, RoomReaper, { provide: APP_FILTER, useClass: ChatErrorFilter }],
})
export class ApiModule {}

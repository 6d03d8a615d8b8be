import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '@app/auth';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@app/config';
import { KafkaModule, PersistedProgress } from '@app/kafka';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { RateLimitsModule } from '@app/rate-limits';
import { RedisModule, RedisProbe } from '@app/redis';
import { RoomViews } from '@app/rooms';
import { AdminAuthGuard } from './admin/admin-auth.guard';
import { AdminEnabledGuard } from './admin/admin-enabled.guard';
import { AdminLogin } from './admin/admin-login.service';
import { AdminViews } from './admin/admin-views.service';
import { AdminController, AdminLoginController } from './admin/admin.controller';
import { AuthController } from './auth/auth.controller';
import { LoginService } from './auth/login.service';
import { BearerAuthGuard } from './http/bearer-auth.guard';
import { ChatErrorFilter } from './http/chat-error.filter';
import { RateLimitGuard } from './http/rate-limit.guard';
import { StoreAdmission } from './http/store-admission';
import { StoreAdmissionInterceptor } from './http/store-admission.interceptor';
import { HistoryPages } from './rooms/history-pages.service';
import { RoomReaper } from './rooms/room-reaper.service';
import { RoomsController } from './rooms/rooms.controller';

@Module({
  imports: [
    ConfigModule.forRoot('api'),
    LoggingModule.forRoot(),
    MetricsModule,
    MongoModule,
    // History pages below the persister's committed offset are final (HistoryPages).
    KafkaModule,
    RedisModule,
    RateLimitsModule,
    AuthModule,
    HealthModule.forProbes([MongoProbe, RedisProbe]),
  ],
  controllers: [AuthController, RoomsController, AdminLoginController, AdminController],
  providers: [
    RoomViews,
    LoginService,
    HistoryPages,
    PersistedProgress,
    RoomReaper,
    BearerAuthGuard,
    AdminAuthGuard,
    AdminEnabledGuard,
    RateLimitGuard,
    AdminLogin,
    AdminViews,
    { provide: APP_FILTER, useClass: ChatErrorFilter },
    {
      provide: StoreAdmission,
      inject: [APP_CONFIG],
      // A queued request waits at most as long as one store read may take.
      useFactory: (c: AppConfig) => new StoreAdmission(c.api.storeConcurrency, c.api.storeQueue, c.mongo.queryTimeoutMs),
    },
    StoreAdmissionInterceptor,
  ],
})
export class ApiModule {}

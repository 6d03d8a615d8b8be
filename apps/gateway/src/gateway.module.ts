import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@app/config';
import { KafkaModule, KafkaProbe, PersistedProgress } from '@app/kafka';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule, MetricsModule } from '@app/observability';
import { RateLimitsModule } from '@app/rate-limits';
import { RedisModule, RedisProbe } from '@app/redis';
import { RoomViews } from '@app/rooms';
import { AdminEvictions } from './admin/admin-evictions.service';
import { ChatGateway } from './chat.gateway';
import { ReplicaHeartbeat } from './presence/replica-heartbeat.service';
import { LiveStream, LiveStreamProbe } from './live/live-stream.service';
import { RetryWindow } from './live/retry-window';
import { RoomTails } from './live/room-tails';
import { MessageProducer } from './messages/message-producer.service';
import { MessageSendService } from './messages/message-send.service';
import { PresenceNotifier } from './presence/presence-notifier.service';
import { RoomDirectory } from './rooms/room-directory.service';
import { JoinHistory } from './rooms/join-history.service';
import { RoomMembership } from './rooms/room-membership.service';
import { TypingRelay } from './typing/typing-relay.service';
import { LocalSockets } from './socket/local-sockets';
import { RateLimitInterceptor } from './socket/rate-limit.interceptor';
import { UserRename } from './users/user-rename.service';

@Module({
  imports: [
    ConfigModule.forRoot('gateway'),
    LoggingModule.forRoot(),
    MetricsModule,
    KafkaModule,
    MongoModule,
    RedisModule,
    RateLimitsModule,
    AuthModule,
    HealthModule.forProbes([KafkaProbe, MongoProbe, RedisProbe, LiveStreamProbe]),
  ],
  providers: [
    ChatGateway,
    LocalSockets,
    RateLimitInterceptor,
    LiveStream,
    { provide: RoomTails, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new RoomTails(c.chat.roomTail) },
    { provide: RetryWindow, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new RetryWindow(c.chat.retryWindowMs) },
    MessageProducer,
    MessageSendService,
    PresenceNotifier,
    ReplicaHeartbeat,
    AdminEvictions,
    TypingRelay,
    UserRename,
    PersistedProgress,
    RoomDirectory,
    RoomViews,
    RoomMembership,
    JoinHistory,
  ],
})
export class GatewayModule {}

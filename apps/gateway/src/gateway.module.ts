import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { ConfigModule } from '@app/config';
import { KafkaModule, KafkaProbe } from '@app/kafka';
import { MongoModule, MongoProbe } from '@app/mongo';
import { HealthModule, LoggingModule } from '@app/observability';
import { RedisModule, RedisProbe } from '@app/redis';
import { ChatGateway } from './chat.gateway';
import { LiveStream } from './live/live-stream.service';
import { MessageProducer } from './messages/message-producer.service';
import { MessageSendService } from './messages/message-send.service';
import { SendDedup } from './messages/send-dedup';
import { PresenceNotifier } from './presence/presence-notifier.service';
import { PersistedProgress } from './rooms/persisted-progress';
import { RoomDirectory } from './rooms/room-directory.service';
import { RoomMembership } from './rooms/room-membership.service';
import { TypingRelay } from './typing/typing-relay.service';
import { UserRename } from './users/user-rename.service';

@Module({
  imports: [
    ConfigModule.forRoot('gateway'),
    LoggingModule,
    KafkaModule,
    MongoModule,
    RedisModule,
    AuthModule,
    HealthModule.forProbes([KafkaProbe, MongoProbe, RedisProbe]),
  ],
  providers: [
    ChatGateway,
    LiveStream,
    MessageProducer,
    MessageSendService,
    SendDedup,
    PresenceNotifier,
    TypingRelay,
    UserRename,
    PersistedProgress,
    RoomDirectory,
    RoomMembership,
  ],
})
export class GatewayModule {}

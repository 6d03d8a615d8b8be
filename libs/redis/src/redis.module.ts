import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';
import { ReplicaBus } from './replica-bus';
import { ReplicaRegistry } from './replica-registry';
import { RoomPresence } from './room-presence';
import { UserBans } from './user-bans';
import { REDIS } from './redis.tokens';

@Global()
@Module({
  providers: [
    RedisConnections,
    { provide: REDIS, inject: [RedisConnections], useFactory: (c: RedisConnections) => c.open('commands') },
    RoomPresence,
    ReplicaBus,
    ReplicaRegistry,
    UserBans,
  ],
  exports: [REDIS, RedisConnections, RoomPresence, ReplicaBus, ReplicaRegistry, UserBans],
})
export class RedisModule {}

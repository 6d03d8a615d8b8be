import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';
import { ReplicaBus } from './replica-bus';
import { RoomPresence } from './room-presence';
import { REDIS } from './redis.tokens';

@Global()
@Module({
  providers: [
    RedisConnections,
    { provide: REDIS, inject: [RedisConnections], useFactory: (c: RedisConnections) => c.open('commands') },
    RoomPresence,
    ReplicaBus,
  ],
  exports: [REDIS, RedisConnections, RoomPresence, ReplicaBus],
})
export class RedisModule {}

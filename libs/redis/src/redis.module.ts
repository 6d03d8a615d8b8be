import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections';
import { REDIS } from './redis.tokens';

@Global()
@Module({
  providers: [
    RedisConnections,
    { provide: REDIS, inject: [RedisConnections], useFactory: (c: RedisConnections) => c.open('commands') },
  ],
  exports: [REDIS, RedisConnections],
})
export class RedisModule {}

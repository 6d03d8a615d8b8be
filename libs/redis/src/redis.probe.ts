import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DependencyProbe } from '@app/observability';
import { REDIS } from './redis.tokens';

@Injectable()
export class RedisProbe implements DependencyProbe {
  readonly name = 'redis';
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async probe(): Promise<void> {
    await this.redis.ping();
  }
}

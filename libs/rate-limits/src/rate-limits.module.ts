import { Module } from '@nestjs/common';
import { RateLimits } from './rate-limits';

/** The rate limits, counted in Redis (RedisModule and ConfigModule are global). */
@Module({ providers: [RateLimits], exports: [RateLimits] })
export class RateLimitsModule {}

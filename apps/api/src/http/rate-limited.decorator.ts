import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import type { RateLimitName } from '@app/config';
import { RATE_LIMITED } from '@app/rate-limits';
import { RateLimitGuard } from './rate-limit.guard';

/** Counts the route's requests against these limits, in this order (RateLimitGuard). */
export const RateLimited = (...names: RateLimitName[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(RATE_LIMITED, names), UseGuards(RateLimitGuard));

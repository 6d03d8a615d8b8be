import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { RateLimitName } from '@app/config';
import { RATE_LIMITED } from '@app/rate-limits';
import { RateLimitInterceptor } from './rate-limit.interceptor';

/** Counts the event's handler calls against these limits, per user, in this order (RateLimitInterceptor). */
export const RateLimited = (...names: RateLimitName[]): MethodDecorator =>
  applyDecorators(SetMetadata(RATE_LIMITED, names), UseInterceptors(RateLimitInterceptor));

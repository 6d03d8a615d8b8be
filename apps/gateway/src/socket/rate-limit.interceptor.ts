import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, switchMap, type Observable } from 'rxjs';
import type { RateLimitName } from '@app/config';
import { RATE_LIMITED, RateLimits } from '@app/rate-limits';
import { acknowledge } from './acknowledge';
import type { ChatSocket } from './socket-state';

/**
 * Counts an event against the limits its handler names with `@RateLimited`, per user (README
 * "Rate limits"), before the handler runs. Over a limit the handler does not run and the event is
 * answered once, like any error (`acknowledge`): `{ ok: false, error: { code: 'rate_limited',
 * retryAfterMs } }`, or an `error` event when it came without a callback. (An interceptor, not a
 * guard: a refusing Nest guard would answer with its own `exception` event, not the ack.)
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const names = this.reflector.get<RateLimitName[] | undefined>(RATE_LIMITED, context.getHandler()) ?? [];
    const socket = context.switchToWs().getClient<ChatSocket>();
    // The ack is the event's function argument, as Nest's own @Ack() finds it.
    const ack: unknown = context.getArgs().find((arg) => typeof arg === 'function');
    return from(this.refusal(names, socket.data.user.id)).pipe(
      switchMap((refusal) =>
        refusal === undefined
          ? next.handle()
          : from(
              acknowledge(socket, ack, () => {
                throw refusal;
              }),
            ),
      ),
    );
  }

  /** Undefined when every limit lets the event through, else why not (the first limit exceeded stops the count). */
  private async refusal(names: readonly RateLimitName[], userId: string): Promise<Error | undefined> {
    try {
      for (const name of names) await this.limits.take(name, userId);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

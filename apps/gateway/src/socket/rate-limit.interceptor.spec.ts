import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of } from 'rxjs';
import type { RateLimitName } from '@app/config';
import { RATE_LIMITED, rateLimitedError, type RateLimits } from '@app/rate-limits';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import type { ChatSocket } from './socket-state';

/** A `room:create` from user u_1 as Nest hands it to an interceptor (stubbed socket and context). */
function roomCreate(ack?: (answer: unknown) => void) {
  const emitted: { event: string; payload: unknown }[] = [];
  const socket = { data: { user: { id: 'u_1', username: 'alice' } }, emit: (event: string, payload: unknown) => emitted.push({ event, payload }) };
  const handler = () => undefined;
  Reflect.defineMetadata(RATE_LIMITED, ['roomCreate'] satisfies RateLimitName[], handler);
  const args = ack ? [socket, { name: 'lobby' }, ack, 'room:create'] : [socket, { name: 'lobby' }, 'room:create'];
  const context = {
    getHandler: () => handler,
    getArgs: () => args,
    switchToWs: () => ({ getClient: () => socket as unknown as ChatSocket }),
  } as unknown as ExecutionContext;
  return { context, emitted };
}

/** Stub limits (no Redis): record what is counted; refuse when told. */
function stubLimits(refuse: boolean) {
  const counted: string[] = [];
  const limits = {
    take: async (name: RateLimitName, subject: string) => {
      counted.push(`${name} ${subject}`);
      if (refuse) throw rateLimitedError('rooms created', 4_200);
    },
  } as unknown as RateLimits;
  return { counted, sut: new RateLimitInterceptor(new Reflector(), limits) };
}

const handlerRan = () => {
  const ran = { times: 0 };
  const next: CallHandler = { handle: () => (ran.times++, of(undefined)) };
  return { ran, next };
};

describe('RateLimitInterceptor (stubbed socket and limits)', () => {
  it('counts the event per user and runs the handler while under the limit', async () => {
    const { counted, sut } = stubLimits(false);
    const { ran, next } = handlerRan();
    const answers: unknown[] = [];
    await lastValueFrom(sut.intercept(roomCreate((a) => answers.push(a)).context, next), { defaultValue: undefined });
    expect(counted).toEqual(['roomCreate u_1']);
    expect(ran.times).toBe(1);
    expect(answers).toEqual([]);
  });

  it('answers an event over the limit once through its ack with rate_limited and retryAfterMs, without running the handler', async () => {
    const { sut } = stubLimits(true);
    const { ran, next } = handlerRan();
    const answers: unknown[] = [];
    await lastValueFrom(sut.intercept(roomCreate((a) => answers.push(a)).context, next), { defaultValue: undefined });
    expect(ran.times).toBe(0);
    expect(answers).toEqual([{ ok: false, error: { code: 'rate_limited', message: 'too many rooms created; retry in 5 s', retryAfterMs: 4_200 } }]);
  });

  it('emits the refusal as an error event when the event came without a callback', async () => {
    const { sut } = stubLimits(true);
    const { next } = handlerRan();
    const { context, emitted } = roomCreate();
    await lastValueFrom(sut.intercept(context, next), { defaultValue: undefined });
    expect(emitted).toEqual([{ event: 'error', payload: { code: 'rate_limited', message: 'too many rooms created; retry in 5 s', retryAfterMs: 4_200 } }]);
  });
});

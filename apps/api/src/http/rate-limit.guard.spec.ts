import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RateLimitName } from '@app/config';
import { RATE_LIMIT_RULES, RATE_LIMITED, rateLimitedError, type RateLimits } from '@app/rate-limits';
import { RateLimitGuard } from './rate-limit.guard';

/** A route handler carrying @RateLimited(...names) metadata, and a request to it (stubbed context). */
function requestTo(names: RateLimitName[], request: Record<string, unknown>): ExecutionContext {
  const handler = () => undefined;
  Reflect.defineMetadata(RATE_LIMITED, names, handler);
  return { getHandler: () => handler, switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

/** Stub limits (no Redis): record what is counted, refuse the named limit. */
function stubLimits(refuse?: RateLimitName) {
  const counted: string[] = [];
  const limits = {
    subjectOf: (name: RateLimitName) => RATE_LIMIT_RULES[name].subject,
    take: async (name: RateLimitName, subject: string) => {
      counted.push(`${name} ${subject}`);
      if (name === refuse) throw rateLimitedError('things', 2_500);
    },
  } as unknown as RateLimits;
  return { counted, sut: new RateLimitGuard(new Reflector(), limits) };
}

describe('RateLimitGuard (stubbed request and limits)', () => {
  it('counts a login per client address', async () => {
    const { counted, sut } = stubLimits();
    await expect(sut.canActivate(requestTo(['login'], { ip: '203.0.113.7', body: { username: 'alice' } }))).resolves.toBe(true);
    expect(counted).toEqual(['login 203.0.113.7']);
  });

  it('counts an admin login per address, then per username, and stops at the first limit exceeded', async () => {
    const { counted, sut } = stubLimits('adminLogin');
    const context = requestTo(['adminLogin', 'adminLoginUsername'], { ip: '203.0.113.7', body: { username: 'admin', password: 'guess' } });
    await expect(sut.canActivate(context)).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 2_500 });
    expect(counted).toEqual(['adminLogin 203.0.113.7']);
  });

  it('does not count a username the body does not have (the handler answers bad_request)', async () => {
    const { counted, sut } = stubLimits();
    await sut.canActivate(requestTo(['adminLogin', 'adminLoginUsername'], { ip: '203.0.113.7', body: [] }));
    expect(counted).toEqual(['adminLogin 203.0.113.7']);
  });

  it('counts reads per signed-in user', async () => {
    const { counted, sut } = stubLimits();
    await sut.canActivate(requestTo(['restReads'], { ip: '203.0.113.7', identity: { user: { id: 'u_1', username: 'alice' } } }));
    expect(counted).toEqual(['restReads u_1']);
  });

  it('lets a route without limits through without counting', async () => {
    const { counted, sut } = stubLimits();
    await expect(sut.canActivate(requestTo([], {}))).resolves.toBe(true);
    expect(counted).toEqual([]);
  });
});

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { RateLimitName } from '@app/config';
import { RATE_LIMITED, RateLimits, type RateLimitSubject } from '@app/rate-limits';
import type { AuthenticatedRequest } from './bearer-auth.guard';

/**
 * Counts a request against the limits its handler names with `@RateLimited` (README "Rate limits")
 * before the handler and its store work run; over a limit it throws `rate_limited`, which
 * ChatErrorFilter answers as 429 with Retry-After. A method's guards run after its controller's,
 * so a per-user limit finds the identity BearerAuthGuard put on the request.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const names = this.reflector.get<RateLimitName[] | undefined>(RATE_LIMITED, context.getHandler()) ?? [];
    const request = context.switchToHttp().getRequest<FastifyRequest & Partial<AuthenticatedRequest>>();
    // In order; the first limit exceeded refuses the request, which then spends nothing of the later ones.
    for (const name of names) {
      const subject = subjectOf(this.limits.subjectOf(name), request);
      if (subject !== undefined) await this.limits.take(name, subject);
    }
    return true;
  }
}

function subjectOf(subject: RateLimitSubject, request: FastifyRequest & Partial<AuthenticatedRequest>): string | undefined {
  switch (subject) {
    case 'address':
      // The client's address as Nginx saw it (X-Forwarded-For, trusted for TRUST_PROXY_HOPS hops: api-http-adapter.ts).
      return request.ip || request.socket.remoteAddress || 'unknown';
    case 'user':
      if (!request.identity) throw new Error('a per-user rate limit needs BearerAuthGuard to run first');
      return request.identity.user.id;
    case 'username': {
      // Not validated yet (the handler does that): a body without a username is refused there.
      const body: unknown = request.body;
      const username = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).username : undefined;
      return typeof username === 'string' ? username : undefined;
    }
  }
}

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TokenService, type Identity } from '@app/auth';
import { ChatError } from '@app/contracts';

export interface AuthenticatedRequest extends FastifyRequest {
  identity: Identity;
}

/** Requires `Authorization: Bearer <JWT>`; the verified identity is put on the request. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const identity = this.tokens.verify(token);
    if (!identity) throw new ChatError('unauthorized', 'a valid bearer token is required');
    request.identity = identity;
    return true;
  }
}

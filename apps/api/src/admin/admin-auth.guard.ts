import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ChatError } from '@app/contracts';
import { BearerAuthGuard, type AuthenticatedRequest } from '../http/bearer-auth.guard';

/** A valid token is not enough: it must carry the admin role (401 without a token, 403 without the role). */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly bearer: BearerAuthGuard) {}

  canActivate(context: ExecutionContext): boolean {
    this.bearer.canActivate(context);
    const { identity } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (identity.role !== 'admin') throw new ChatError('forbidden', 'the admin role is required');
    return true;
  }
}

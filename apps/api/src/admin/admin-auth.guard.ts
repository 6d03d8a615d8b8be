import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError } from '@app/contracts';
import { BearerAuthGuard, type AuthenticatedRequest } from '../http/bearer-auth.guard';
import { assertAdminEnabled } from './admin-enabled';

/**
 * The admin API is disabled without ADMIN_PASSWORD: 503 whatever token is shown (a token with the
 * admin role signed some other way must not open it). Enabled, a valid token is not enough: it
 * must carry the admin role (401 without a token, 403 without the role).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly bearer: BearerAuthGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    assertAdminEnabled(this.config);
    this.bearer.canActivate(context);
    const { identity } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (identity.role !== 'admin') throw new ChatError('forbidden', 'the admin role is required');
    return true;
  }
}

import { Inject, Injectable, type CanActivate } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { assertAdminEnabled } from './admin-enabled';

/**
 * Disabled admin answers 503 before anything else looks at the request (PROTOCOL.md: whatever is
 * sent), so the admin login's rate limits neither count nor answer 429 then.
 */
@Injectable()
export class AdminEnabledGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    assertAdminEnabled(this.config);
    return true;
  }
}

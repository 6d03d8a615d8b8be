import type { AppConfig } from '@app/config';
import { ChatError } from '@app/contracts';

/**
 * The admin API exists only with ADMIN_PASSWORD set (DESIGN.md guarantee 7): without it every
 * /admin route, login included, answers 503 whatever it is sent.
 */
export function assertAdminEnabled(config: AppConfig): string {
  const { adminPassword } = config.auth;
  if (!adminPassword) throw new ChatError('unavailable', 'admin is disabled: ADMIN_PASSWORD is not set');
  return adminPassword;
}

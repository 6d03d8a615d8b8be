import type { AppConfig } from '@app/config';
import { ChatError } from '@app/contracts';

/** Until an operator sets ADMIN_PASSWORD and restarts the api; PROTOCOL.md gives every 503 a Retry-After. */
const DISABLED_RETRY_AFTER_MS = 3_600_000;

/**
 * The admin API exists only with ADMIN_PASSWORD set (DESIGN.md guarantee 7): without it every
 * /admin route, login included, answers 503 whatever it is sent.
 */
export function assertAdminEnabled(config: AppConfig): string {
  const { adminPassword } = config.auth;
  if (!adminPassword) throw new ChatError('unavailable', 'admin is disabled: ADMIN_PASSWORD is not set', DISABLED_RETRY_AFTER_MS);
  return adminPassword;
}

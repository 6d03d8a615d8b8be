import type { INestApplication } from '@nestjs/common';

/**
 * The public paths are /api/... and /admin/... (nginx.conf proxies both prefixes whole); health and
 * metrics stay at the root. One place, so main.ts and the OpenAPI test route the same way.
 */
export function usePublicPaths(app: INestApplication): void {
  app.setGlobalPrefix('api', { exclude: ['health', 'health/live', 'metrics', 'admin/{*path}'] });
}

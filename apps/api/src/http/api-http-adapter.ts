import { FastifyAdapter } from '@nestjs/platform-fastify';
import { readJsonBodies } from './json-bodies';

/** The largest request body the api reads (a login, an admin action); larger ones are `413 too_large`. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The api's HTTP server: Fastify. The history endpoint is the api's hot path, and Express's
 * router and middleware were a third of its CPU: Fastify answered 40–50 % more history pages a
 * second on this box (docs/benchmarks.md, 2026-12-07). `trustedHops` is read per request because the
 * adapter exists before the app's config does: behind Nginx, `request.ip` is the client's address
 * from X-Forwarded-For, and only that many proxies' entries are believed, so a client cannot forge
 * its own (the per-address rate limits key on it).
 */
export function createApiHttpAdapter(trustedHops: () => number): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: (_address: string, hop: number) => hop < trustedHops(),
  });
  // The app is created with `bodyParser: false`, so Nest registers none of its own over these.
  readJsonBodies(adapter.getInstance(), BODY_LIMIT_BYTES);
  return adapter;
}

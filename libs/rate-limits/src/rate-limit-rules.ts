import type { RateLimitName } from '@app/config';

/** Whom a limit counts: the client's address, the signed-in user, or the username a login names. */
export type RateLimitSubject = 'address' | 'user' | 'username';

/**
 * Every rate limit (their sizes are configuration: AppConfig.rateLimits): whom it counts, and what,
 * for the message a refused client reads.
 */
export const RATE_LIMIT_RULES: { readonly [name in RateLimitName]: { readonly subject: RateLimitSubject; readonly what: string } } = {
  login: { subject: 'address', what: 'logins from this address' },
  adminLogin: { subject: 'address', what: 'admin logins from this address' },
  adminLoginUsername: { subject: 'username', what: 'admin logins for this username' },
  roomCreate: { subject: 'user', what: 'rooms created' },
  roomJoin: { subject: 'user', what: 'room joins' },
  userRename: { subject: 'user', what: 'renames' },
  typing: { subject: 'user', what: 'typing events' },
  restReads: { subject: 'user', what: 'requests' },
};

/** Handler metadata: the limits a request or event is counted against, in order (the edges' `@RateLimited`). */
export const RATE_LIMITED = 'chatstream:rate-limited';

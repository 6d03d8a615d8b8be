import type { z } from 'zod';
import { ChatError } from './errors';

/** Validates input at the edge; a failure is a `bad_request` naming the first bad field. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.output<S>;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  const message = issue?.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue?.message;
  throw new ChatError('bad_request', `${where}${message ?? 'invalid input'}`.slice(0, 300));
}

/** HTTP status for each protocol error code. */
export const HTTP_STATUS: Record<ChatError['code'], number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  room_full: 409,
  rate_limited: 429,
  too_large: 413,
  unavailable: 503,
  internal: 500,
};

/** The error statuses of the REST edge, each with its one code (PROTOCOL.md "REST"). */
export const REST_ERRORS = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'too_large',
  429: 'rate_limited',
  503: 'unavailable',
} as const satisfies Record<number, ChatError['code']>;

import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MongoError } from 'mongodb';
import { ChatError, HTTP_STATUS, REST_ERRORS, type ErrorCode } from '@app/contracts';

const STORE_RETRY_AFTER_MS = 1000;

/**
 * Every error leaves as `{"error": {"code", "message"}}` (PROTOCOL.md) with its HTTP status.
 * A store that fails or is too slow (maxTimeMS) is `unavailable`: a dependency problem the client
 * retries, never a 500. Unknown errors are logged and answered as `internal` without their details.
 * Every answer with retryAfterMs also carries `Retry-After` (seconds, rounded up).
 */
@Catch()
export class ChatErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ChatErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply>();
    // Log lines name the request themselves (no per-request logger: LoggingModule says why).
    const request = (): string => {
      const { method, url } = http.getRequest<FastifyRequest>();
      return `${method} ${url}`;
    };
    if (error instanceof MongoError) {
      this.logger.warn(`store, ${request()}: ${error.message}`);
      error = new ChatError('unavailable', 'the history store did not answer in time; retry later', STORE_RETRY_AFTER_MS);
    }
    if (error instanceof ChatError) {
      if (error.retryAfterMs !== undefined) response.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
      response.status(HTTP_STATUS[error.code]).send({ error: error.toBody() });
      return;
    }
    const clientError = httpClientError(error);
    if (clientError) {
      // Fastify's refusals of a request body (too large, not JSON, a media type it does not read)
      // are the client's errors.
      const code: ErrorCode = clientError.status === 413 ? 'too_large' : 'bad_request';
      response.status(HTTP_STATUS[code]).send({ error: { code, message: clientError.message } });
      return;
    }
    if (error instanceof HttpException) {
      // Nest's own answers: unknown route, malformed JSON body, payload too large; and the 503 of
      // /health when a dependency is down.
      const status = error.getStatus();
      const code: ErrorCode = REST_ERRORS[status as keyof typeof REST_ERRORS] ?? (status >= 500 ? 'internal' : 'bad_request');
      if (status === 503) response.header('Retry-After', String(STORE_RETRY_AFTER_MS / 1000));
      response.status(status).send({ error: { code, message: messageOf(error) } });
      return;
    }
    this.logger.error(`unhandled, ${request()}: ${(error as Error)?.message}`, (error as Error)?.stack);
    response.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  }
}

/** Fastify's errors carry the HTTP status they answer with (`FST_ERR_CTP_BODY_TOO_LARGE`: 413...). */
function httpClientError(error: unknown): { status: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null || error instanceof HttpException) return undefined;
  const { statusCode, message } = error as { statusCode?: unknown; message?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return undefined;
  return { status: statusCode, message: typeof message === 'string' ? message : 'bad request' };
}

/** @nestjs/terminus's 503 lists the failed checks under `error`: the message names them. */
function messageOf(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null) {
    const down = Object.keys(body.error);
    if (down.length > 0) return `not ready: ${down.join(', ')} not answering`;
  }
  return error.message;
}

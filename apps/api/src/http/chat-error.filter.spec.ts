import { Logger, NotFoundException, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { MongoServerError } from 'mongodb';
import { ChatError } from '@app/contracts';
import { ChatErrorFilter } from './chat-error.filter';

/** What the filter wrote to a stub Fastify reply. */
function answer(error: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    header: (name: string, value: string) => ((sent.headers[name] = value), response),
    status: (status: number) => ((sent.status = status), response),
    send: (body: unknown) => void (sent.body = body),
  };
  const request = { method: 'GET', url: '/api/rooms/r1/messages?before=42' };
  new ChatErrorFilter().catch(error, { switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }) } as unknown as ArgumentsHost);
  return sent;
}

describe('ChatErrorFilter (stub response)', () => {
  it('answers rate_limited as 429 JSON with Retry-After in whole seconds, rounded up', () => {
    const sent = answer(new ChatError('rate_limited', 'too many logins from this address; retry in 42 s', 41_001));
    expect(sent.status).toBe(429);
    expect(sent.headers['Retry-After']).toBe('42');
    expect(sent.body).toEqual({ error: { code: 'rate_limited', message: 'too many logins from this address; retry in 42 s', retryAfterMs: 41_001 } });
  });

  it('never says Retry-After 0', () => {
    expect(answer(new ChatError('rate_limited', 'slow down', 1)).headers['Retry-After']).toBe('1');
    expect(answer(new ChatError('unavailable', 'store busy', 1000)).headers['Retry-After']).toBe('1');
  });

  it("answers /health's 503 (terminus's body) as unavailable with Retry-After, naming the dependencies not answering", () => {
    const sent = answer(new ServiceUnavailableException({ status: 'error', info: { kafka: { status: 'up' } }, error: { redis: { status: 'down' }, mongodb: { status: 'down' } } }));
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('1');
    expect(sent.body).toEqual({ error: { code: 'unavailable', message: 'not ready: redis, mongodb not answering' } });
  });

  it("answers Nest's own 404 with its code and without Retry-After", () => {
    const sent = answer(new NotFoundException('Cannot GET /api/nowhere'));
    expect(sent.status).toBe(404);
    expect(sent.headers['Retry-After']).toBeUndefined();
    expect(sent.body).toEqual({ error: { code: 'not_found', message: 'Cannot GET /api/nowhere' } });
  });

  it('answers a store failure as unavailable, and logs it with the request it failed', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const sent = answer(new MongoServerError({ message: 'operation exceeded time limit', code: 50 }));
      expect(sent.status).toBe(503);
      expect(sent.body).toMatchObject({ error: { code: 'unavailable' } });
      expect(warn).toHaveBeenCalledWith('store, GET /api/rooms/r1/messages?before=42: operation exceeded time limit');
    } finally {
      warn.mockRestore();
    }
  });

  it('answers an unknown error as internal without its details, and logs it with the request', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const sent = answer(new Error('secret detail'));
      expect(sent.status).toBe(500);
      expect(sent.body).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(error.mock.calls[0]?.[0]).toBe('unhandled, GET /api/rooms/r1/messages?before=42: secret detail');
    } finally {
      error.mockRestore();
    }
  });

  it("answers Fastify's refusal of a request body with too_large or bad_request, never internal", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(answer(tooLarge)).toMatchObject({ status: 413, body: { error: { code: 'too_large', message: 'Request body is too large' } } });
    const notJson = Object.assign(new Error("Body is not valid JSON but content-type is set to 'application/json'"), { statusCode: 400 });
    expect(answer(notJson)).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/plain'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(answer(mediaType)).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });
});

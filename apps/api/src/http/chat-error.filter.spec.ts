import { Logger, NotFoundException, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { MongoServerError } from 'mongodb';
import { ChatError } from '@app/contracts';
import { ChatErrorFilter } from './chat-error.filter';

/** What the filter wrote to a stub express response. */
function answer(error: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    setHeader: (name: string, value: string) => void (sent.headers[name] = value),
    status: (status: number) => ((sent.status = status), response),
    json: (body: unknown) => void (sent.body = body),
  };
  const request = { method: 'GET', originalUrl: '/api/rooms/r1/messages?before=42' };
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
});

import { ChatClientError } from './errors';
import { login, RestApi } from './rest';
import { message, stubFetch } from './test-fixtures';

describe('REST (stub fetch)', () => {
  it('reads a history page with the token, the cursor and the limit', async () => {
    const fetch = stubFetch(() => ({ status: 200, body: { messages: [message(5)], hasMore: false } }));
    const sut = new RestApi('http://chat.test/', 'tok', fetch);
    await expect(sut.history('room1', { after: 4, limit: 100 })).resolves.toEqual({ messages: [message(5)], hasMore: false });
    expect(fetch.requests[0]).toMatchObject({ url: 'http://chat.test/api/rooms/room1/messages?limit=100&after=4', method: 'GET', headers: { authorization: 'Bearer tok' } });
  });

  it('turns an error answer into its PROTOCOL.md code, with Retry-After as retryAfterMs', async () => {
    const fetch = stubFetch(() => ({ status: 429, body: { error: { code: 'rate_limited', message: 'slow down' } }, headers: { 'retry-after': '3' } }));
    const error = await new RestApi('http://chat.test', 'tok', fetch).history('room1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatClientError);
    expect(error).toMatchObject({ code: 'rate_limited', message: 'slow down', retryAfterMs: 3_000 });
  });

  it('names a network failure unavailable, and an answer without an error body by its status', async () => {
    const down = stubFetch(() => Promise.reject(new TypeError('fetch failed')));
    await expect(new RestApi('http://chat.test', 'tok', down).rooms()).rejects.toMatchObject({ code: 'unavailable' });
    const proxy = stubFetch(() => ({ status: 502, body: undefined }));
    await expect(new RestApi('http://chat.test', 'tok', proxy).rooms()).rejects.toMatchObject({ code: 'unavailable' });
    const missing = stubFetch(() => ({ status: 404, body: { error: { code: 'not_found', message: 'no such room' } } }));
    await expect(new RestApi('http://chat.test', 'tok', missing).room('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('logs in with POST /api/auth/login and a JSON body', async () => {
    const fetch = stubFetch(() => ({ status: 200, body: { token: 't', user: { id: 'u1', username: 'alice' } } }));
    await expect(login('http://chat.test', 'alice', { fetch })).resolves.toEqual({ token: 't', user: { id: 'u1', username: 'alice' } });
    expect(fetch.requests[0]).toMatchObject({ url: 'http://chat.test/api/auth/login', method: 'POST', body: '{"username":"alice"}' });
  });
});

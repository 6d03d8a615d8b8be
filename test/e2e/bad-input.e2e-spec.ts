import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { HistoryPage, ErrorBody } from '@app/contracts';
import { BASE_URL, ChatClient, login, until } from '@app/testing';

describe('bad input never hurts', () => {
  let client: ChatClient;
  let roomId: string;

  beforeAll(async () => {
    client = await ChatClient.connect({ sourceIp: '127.0.90.1' });
    roomId = (await client.sdk.createRoom('bad input')).id;
    await client.sdk.join(roomId);
  });
  afterAll(() => client.close());

  const cases: [string, unknown, string][] = [
    ['room:create', null, 'bad_request'],
    ['room:create', 'just a string', 'bad_request'],
    ['room:create', { name: 42 }, 'bad_request'],
    ['room:create', { name: '' }, 'bad_request'],
    ['room:create', { name: 'x'.repeat(65) }, 'bad_request'],
    ['room:join', {}, 'bad_request'],
    ['room:join', { roomId: 7 }, 'bad_request'],
    ['room:join', { roomId: 'ok', since: 'yesterday' }, 'bad_request'],
    ['room:join', { roomId: 'does-not-exist' }, 'not_found'],
    ['room:leave', [], 'bad_request'],
    ['message:send', { roomId: 'x', text: 'hi' }, 'bad_request'],
    ['message:send', { text: 'hi', clientMsgId: 'c' }, 'bad_request'],
    ['message:send', { roomId: 'x', text: 5, clientMsgId: 'c' }, 'bad_request'],
    ['message:send', { roomId: 'x', text: 'hi', clientMsgId: 'c', user: { id: 'someone-else' } }, 'bad_request'],
    ['message:send', { roomId: 'x', text: 'hi', clientMsgId: 'c', padding: 'x'.repeat(500_000) }, 'bad_request'],
    ['rooms:list', 12, 'bad_request'],
  ];

  // Raw calls throughout, on purpose: the SDK never sends these payloads.
  it.each(cases)('answers %s with %j by %s', async (event, payload, code) => {
    const answer = await client.call(event, payload);
    expect(answer).toEqual({ ok: false, error: { code, message: expect.any(String) } });
  });

  it('answers too_large for a 1 MB text and an empty text with bad_request', async () => {
    const big = await client.call('message:send', { roomId, text: 'x'.repeat(1024 * 1024), clientMsgId: randomUUID() });
    expect(big).toMatchObject({ ok: false, error: { code: 'too_large' } });
    const blank = await client.call('message:send', { roomId, text: '   ', clientMsgId: randomUUID() });
    expect(blank).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('answers forbidden for a room the socket has not joined', async () => {
    const other = (await client.sdk.createRoom('not joined')).id;
    expect(await client.call('message:send', { roomId: other, text: 'hi', clientMsgId: randomUUID() })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('emits an error event for a bad event sent without a callback, and keeps serving', async () => {
    // A socket of its own: the SDK (and its transport) always asks for an acknowledgement.
    const socket = io(BASE_URL, { auth: { token: client.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const errors: ErrorBody[] = [];
      socket.on('error', (e: ErrorBody) => errors.push(e));
      await new Promise((resolve) => socket.once('session', resolve));
      socket.emit('message:send', { nonsense: true } as never);
      await until(() => errors.length > 0, 5000, 'an error event');
      expect(errors.at(-1)).toMatchObject({ code: 'bad_request' });
      expect(socket.connected).toBe(true);
      const answer = await new Promise((resolve) => socket.emit('rooms:list', {}, resolve));
      expect(answer).toMatchObject({ ok: true, rooms: expect.any(Array) });
    } finally {
      socket.close();
    }
  });

  it('answers an unknown event sent with a callback with bad_request, and keeps serving', async () => {
    const answer = await client.call('no:such:event', { x: 1 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(client.connected).toBe(true);
    expect((await client.send(roomId, 'served after an unknown event')).text).toBe('served after an unknown event');
  });

  it('refuses a missing or forged token at the handshake with "unauthorized"', async () => {
    for (const auth of [{}, { token: 'forged.token.value' }, { token: 42 }]) {
      const socket = io(BASE_URL, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
      expect(error.message).toBe('unauthorized');
      socket.close();
    }
  });

  it('answers 400 with a code for bad history parameters, 404 for an unknown room, 401 without a token', async () => {
    const { token } = await login('history-checker');
    for (const q of ['?limit=0', '?limit=101', '?limit=abc', '?before=-1', '?after=1.5', '?before=1&after=2', '?limit[]=5', '?limit[$gt]=1', '?after[$ne]=null', '?limit=5&limit=6']) {
      const { status, body } = await rawHistory(token, roomId, q);
      expect(status).toBe(400);
      expect(body.error?.code).toBe('bad_request');
    }
    const missing = await rawHistory(token, 'no-such-room', '');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
    const anonymous = await fetch(`${BASE_URL}/api/rooms/${roomId}/messages`);
    expect(anonymous.status).toBe(401);
    for (const body of ['{"username": ""}', '{"username": "a/b"}', 'not json', '{"username": "x", "extra": 1}']) {
      const response = await fetch(`${BASE_URL}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(400);
    }
    // Nginx's own refusals are JSON with a code too: a body over its limit, a request it cannot parse.
    const huge = await fetch(`${BASE_URL}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(3 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('too_large');
    const malformed = await rawHttp('GET /api/rooms HTTP/1.1\r\nConnection: close\r\n\r\n'); // HTTP/1.1 without Host
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(malformed).toContain('"code":"bad_request"');
    // A charset the body parser does not know is the client's error, with a code, never a 500.
    const charset = await fetch(`${BASE_URL}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json; charset=bogus' }, body: '{"username": "x"}' });
    expect(charset.status).toBe(400);
    expect(((await charset.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});

/** A history request with any query string (raw on purpose: the SDK's history() cannot send a bad one). */
async function rawHistory(token: string, roomId: string, query: string): Promise<{ status: number; body: Partial<HistoryPage> & { error?: ErrorBody } }> {
  const response = await fetch(`${BASE_URL}/api/rooms/${roomId}/messages${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Partial<HistoryPage> & { error?: ErrorBody } };
}

/** What Nginx answers to bytes no HTTP client library would send (bounded: 5 s). */
function rawHttp(request: string): Promise<string> {
  const { hostname, port } = new URL(BASE_URL);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

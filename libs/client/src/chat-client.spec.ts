import type { ChatMessage } from '@app/contracts';
import { ChatClient, type ChatClientOptions } from './chat-client';
import type { StateChange } from './connection-state';
import { ChatClientError } from './errors';
import { deferred, message, room, settle, stubFetch, StubTransport, type StubRequest } from './test-fixtures';

type Page = { status: number; body: unknown; headers?: Record<string, string> };

const clients: ChatClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

/** A client on a stub transport and a stub fetch, connected to gateway-1 and recording what it delivers. */
async function connected(options: Partial<ChatClientOptions> & { rest?: (request: StubRequest) => Page | Promise<Page> } = {}) {
  const transport = new StubTransport();
  const fetch = stubFetch(options.rest ?? (() => ({ status: 500, body: { error: { code: 'internal', message: 'no REST in this test' } } })));
  const sut = new ChatClient({ url: 'http://chat.test', token: 'tok', transport, fetch, backoff: { initialMs: 1, maxMs: 5 }, ...options });
  clients.push(sut);
  const delivered: ChatMessage[] = [];
  const states: StateChange[] = [];
  sut.on('message', (m) => delivered.push(m));
  sut.on('state', (s) => states.push(s));
  const opened = sut.open();
  transport.connectTo('gateway-1');
  await opened;
  return { sut, transport, fetch, delivered, states, seqs: () => delivered.map((m) => m.seq) };
}

const joinAnswer = (messages: ChatMessage[], hasMore = false) => ({ ok: true as const, room: room(), members: [{ id: 'u1', username: 'alice' }], messages, hasMore });

describe('ChatClient recovery (stub transport)', () => {
  it('after a reconnect to another replica, re-joins with since = the last delivered seq: no gap, no duplicate, seq order', async () => {
    const { sut, transport, seqs, states } = await connected();
    transport.handle('room:join', (call) => (call.payload.since === undefined ? joinAnswer([1, 2, 3].map((s) => message(s))) : undefined));
    await sut.join('room1');
    transport.fire('message', { message: message(4) });

    transport.drop();
    expect(sut.state).toBe('reconnecting');
    transport.fire('message', { message: message(99) }); // nothing arrives on a dropped connection; a stray one must not count
    transport.connectTo('gateway-2');
    expect(sut.state).toBe('catching-up');
    const rejoin = transport.callsOf('room:join').at(-1)!;
    expect(rejoin.payload).toEqual({ roomId: 'room1', since: 4 });
    rejoin.answer(joinAnswer([4, 5, 6].map((s) => message(s))));
    await settle();
    [6, 7].forEach((s) => transport.fire('message', { message: message(s) }));

    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sut.state).toBe('live');
    expect(sut.instance).toBe('gateway-2');
    expect(states.map((s) => [s.state, s.session?.instance])).toEqual([
      ['live', 'gateway-1'],
      ['reconnecting', 'gateway-1'],
      ['catching-up', 'gateway-2'],
      ['live', 'gateway-2'],
    ]);
  });

  it('a re-join answer with hasMore pages on over REST (stub fetch) with after=, holding live messages until the gap is filled', async () => {
    const pages = new Map([4, 6].map((after) => [after, deferred<Page>()]));
    const { sut, transport, fetch, seqs } = await connected({ rest: (request) => pages.get(Number(new URL(request.url).searchParams.get('after')))!.promise });
    transport.handle('room:join', () => joinAnswer([1, 2].map((s) => message(s))));
    await sut.join('room1');
    transport.drop();

    transport.handle('room:join', () => joinAnswer([3, 4].map((s) => message(s)), true));
    transport.connectTo('gateway-3');
    await settle();
    // The server's live stream starts right after the answer, while the gap is still being read.
    [9, 10].forEach((s) => transport.fire('message', { message: message(s) }));
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(sut.state).toBe('catching-up');

    pages.get(4)!.resolve({ status: 200, body: { messages: [5, 6].map((s) => message(s)), hasMore: true } });
    await settle();
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    // The last page overlaps the live stream (9 was both stored and sent live).
    pages.get(6)!.resolve({ status: 200, body: { messages: [7, 8, 9].map((s) => message(s)), hasMore: false } });
    await settle();
    transport.fire('message', { message: message(11) });

    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sut.state).toBe('live');
    expect(fetch.requests.map((r) => [new URL(r.url).search, r.headers.authorization])).toEqual([
      ['?limit=100&after=4', 'Bearer tok'],
      ['?limit=100&after=6', 'Bearer tok'],
    ]);
  });

  it('retries a REST page that answered rate_limited, after its Retry-After', async () => {
    let calls = 0;
    const { sut, transport, seqs } = await connected({
      rest: () => (++calls === 1 ? { status: 429, body: { error: { code: 'rate_limited', message: 'slow' } }, headers: { 'retry-after': '0' } } : { status: 200, body: { messages: [message(3)], hasMore: false } }),
    });
    transport.handle('room:join', (call) => (call.payload.since === undefined ? joinAnswer([message(1)]) : joinAnswer([message(2)], true)));
    await sut.join('room1');
    transport.drop();
    transport.connectTo('gateway-2');
    await settle(30);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(calls).toBe(2);
  });

  it('a connection lost during a catch-up drops what it held, and the next re-join asks since the last delivered seq', async () => {
    const page = deferred<Page>();
    const { sut, transport, seqs } = await connected({ rest: () => page.promise });
    transport.handle('room:join', (call) => (call.payload.since === undefined ? joinAnswer([message(1)]) : joinAnswer([message(2)], true)));
    await sut.join('room1');
    transport.drop();
    transport.connectTo('gateway-2');
    await settle();
    transport.fire('message', { message: message(8) });
    transport.drop();
    // The page of the lost connection comes back late: it is not used.
    page.resolve({ status: 200, body: { messages: [3, 4].map((s) => message(s)), hasMore: false } });
    await settle();

    transport.handle('room:join', () => joinAnswer([3, 4, 8].map((s) => message(s))));
    transport.connectTo('gateway-3');
    await settle();
    expect(transport.callsOf('room:join').at(-1)!.payload).toEqual({ roomId: 'room1', since: 2 });
    expect(seqs()).toEqual([1, 2, 3, 4, 8]);
    expect(sut.state).toBe('live');
  });

  it('room:deleted from the server drops the room: no leave sent back, sends to it reject with not_found', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    const deleted: string[] = [];
    sut.on('room:deleted', ({ roomId }) => deleted.push(roomId));
    transport.fire('room:deleted', { roomId: 'room1' });
    expect(deleted).toEqual(['room1']);
    expect(sut.joinedRooms()).toEqual([]);
    await expect(sut.send('room1', 'hi')).rejects.toMatchObject({ code: 'not_found' });
    expect(transport.callsOf('room:leave')).toEqual([]);
    expect(transport.callsOf('message:send')).toEqual([]);
  });

  it('a room deleted while the client was away: the re-join answers not_found, the room is dropped and room:deleted told', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    const deleted: string[] = [];
    sut.on('room:deleted', ({ roomId }) => deleted.push(roomId));
    transport.drop();
    transport.handle('room:join', () => ({ ok: false, error: { code: 'not_found', message: 'room room1 does not exist' } }));
    transport.connectTo('gateway-2');
    await settle();
    expect(deleted).toEqual(['room1']);
    expect(sut.joinedRooms()).toEqual([]);
    expect(sut.state).toBe('live');
    await expect(sut.send('room1', 'hi')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('ChatClient sends (stub transport)', () => {
  it('a send whose ack is lost in a disconnect is retried with the same clientMsgId after the re-join, and resolves once', async () => {
    const { sut, transport, seqs } = await connected();
    transport.handle('room:join', () => joinAnswer([message(1)]));
    await sut.join('room1');

    const sent = sut.send('room1', 'hello');
    let settled = 0;
    void sent.then(() => settled++);
    await settle();
    const first = transport.callsOf('message:send')[0]!;
    transport.drop(); // the ack is lost with the connection
    await settle();
    expect(transport.callsOf('message:send')).toHaveLength(1); // nothing goes out while disconnected

    const stored = message(2, { clientMsgId: first.payload.clientMsgId, text: 'hello' });
    transport.handle('room:join', () => undefined);
    transport.handle('message:send', () => ({ ok: true, message: stored }));
    transport.connectTo('gateway-2');
    await settle();
    // Not before the room is re-joined on the new connection (the server would answer forbidden).
    expect(transport.callsOf('message:send')).toHaveLength(1);
    // The first attempt was stored: the re-join brings it, and the resend is answered with it.
    transport.callsOf('room:join').at(-1)!.answer(joinAnswer([stored]));

    await expect(sent).resolves.toEqual(stored);
    const calls = transport.calls.map((c) => [c.event, c.connection]);
    expect(calls).toEqual([
      ['room:join', 1],
      ['message:send', 1],
      ['room:join', 2],
      ['message:send', 2],
    ]);
    expect(transport.callsOf('message:send')[1]!.payload).toEqual(first.payload);
    await settle();
    expect(settled).toBe(1);
    expect(seqs()).toEqual([1, 2]);
  });

  it('retries unavailable with the same clientMsgId, not before its retryAfterMs', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    jest.useFakeTimers();
    try {
      transport.handle('message:send', (call) =>
        transport.callsOf('message:send').length === 1
          ? { ok: false, error: { code: 'unavailable', message: 'not confirmed yet', retryAfterMs: 1_000 } }
          : { ok: true, message: message(7, { clientMsgId: call.payload.clientMsgId }) },
      );
      const sent = sut.send('room1', 'hello');
      await jest.advanceTimersByTimeAsync(999);
      expect(transport.callsOf('message:send')).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      await expect(sent).resolves.toMatchObject({ seq: 7 });
      const [a, b] = transport.callsOf('message:send');
      expect(b!.payload.clientMsgId).toBe(a!.payload.clientMsgId);
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits out rate_limited for its retryAfterMs and sends again', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    jest.useFakeTimers();
    try {
      transport.handle('message:send', (call) =>
        transport.callsOf('message:send').length < 3
          ? { ok: false, error: { code: 'rate_limited', message: 'too many messages', retryAfterMs: 300 } }
          : { ok: true, message: message(3, { clientMsgId: call.payload.clientMsgId }) },
      );
      const sent = sut.send('room1', 'hello');
      await jest.advanceTimersByTimeAsync(599);
      expect(transport.callsOf('message:send')).toHaveLength(2);
      await jest.advanceTimersByTimeAsync(1);
      await expect(sent).resolves.toMatchObject({ seq: 3 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('resends when no answer comes within the answer timeout, with the same clientMsgId', async () => {
    const { sut, transport } = await connected({ answerTimeoutMs: 20 });
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    transport.handle('message:send', (call) => (transport.callsOf('message:send').length === 1 ? undefined : { ok: true, message: message(4, { clientMsgId: call.payload.clientMsgId }) }));
    await expect(sut.send('room1', 'hello')).resolves.toMatchObject({ seq: 4 });
    const [a, b] = transport.callsOf('message:send');
    expect(b!.payload.clientMsgId).toBe(a!.payload.clientMsgId);
  });

  it('rejects bad_request at once with its code and the clientMsgId, without a retry', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    transport.handle('message:send', () => ({ ok: false, error: { code: 'bad_request', message: 'clientMsgId reused with another text' } }));
    const error = await sut.send('room1', 'hello', { clientMsgId: 'reused-id' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatClientError);
    expect(error).toMatchObject({ code: 'bad_request', details: { clientMsgId: 'reused-id' } });
    expect(transport.callsOf('message:send')).toHaveLength(1);
  });

  it('refuses an empty or too long text and a room not joined without asking the server', async () => {
    const { sut, transport } = await connected();
    await expect(sut.send('room1', '   ')).rejects.toMatchObject({ code: 'bad_request' });
    await expect(sut.send('room1', 'x'.repeat(4001))).rejects.toMatchObject({ code: 'too_large' });
    await expect(sut.send('room1', 'hi')).rejects.toMatchObject({ code: 'forbidden' });
    expect(transport.calls).toEqual([]);
  });

  it('gives up at the deadline with timeout, carrying the clientMsgId to resend later', async () => {
    const { sut, transport } = await connected({ sendDeadlineMs: 50 });
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    transport.drop();
    const error = await sut.send('room1', 'hello').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', details: { clientMsgId: expect.any(String) } });
  });

  it('does not repeat a room:create whose answer was lost (the room may exist)', async () => {
    const { sut, transport } = await connected();
    const created = sut.createRoom('general');
    await settle();
    transport.drop();
    await expect(created).rejects.toMatchObject({ code: 'timeout' });
    transport.connectTo('gateway-2');
    await settle();
    expect(transport.callsOf('room:create')).toHaveLength(1);
  });
});

describe('ChatClient connection and events (stub transport)', () => {
  it('a handshake refused as unauthorized closes the client and rejects open() with the code', async () => {
    const transport = new StubTransport();
    const sut = new ChatClient({ url: 'http://chat.test', token: 'expired', transport });
    const opened = sut.open();
    transport.fire('connect_error', { message: 'unauthorized', willRetry: false });
    await expect(opened).rejects.toMatchObject({ code: 'unauthorized' });
    expect(sut.state).toBe('closed');
  });

  it('an admin kick (server-side disconnect) closes the client; pending sends fail with closed', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    const sent = sut.send('room1', 'hello');
    await settle();
    transport.drop('io server disconnect', false);
    await expect(sent).rejects.toMatchObject({ code: 'closed' });
    expect(sut.state).toBe('closed');
  });

  it('sends typing: true at most once a second per room while unchanged, a change at once', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    transport.handle('typing', () => ({ ok: true }));
    await sut.join('room1');
    expect(await sut.typing('room1', true)).toBe('sent');
    expect(await sut.typing('room1', true)).toBe('throttled');
    expect(await sut.typing('room1', false)).toBe('sent');
    expect(await sut.typing('room2', true)).toBe('offline');
    expect(transport.callsOf('typing').map((c) => c.payload)).toEqual([
      { roomId: 'room1', typing: true },
      { roomId: 'room1', typing: false },
    ]);
  });

  it('passes presence and typing on, and keeps the members of each joined room', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => joinAnswer([]));
    await sut.join('room1');
    const heard: string[] = [];
    sut.on('presence', (p) => heard.push(`${p.event} ${p.user.username}`));
    sut.on('typing', (t) => heard.push(`typing ${t.user.username} ${t.typing}`));
    const bob = { id: 'u2', username: 'bob' };
    transport.fire('presence', { roomId: 'room1', event: 'join', user: bob, members: [{ id: 'u1', username: 'alice' }, bob] });
    transport.fire('typing', { roomId: 'room1', user: bob, typing: true });
    expect(heard).toEqual(['join bob', 'typing bob true']);
    expect(sut.members('room1').map((u) => u.username)).toEqual(['alice', 'bob']);
  });

  it('a room left while its join was under way is left on the server too', async () => {
    const { sut, transport } = await connected();
    transport.handle('room:join', () => undefined);
    transport.handle('room:leave', () => ({ ok: true }));
    const joining = sut.join('room1');
    await settle();
    await sut.leave('room1');
    await expect(joining).rejects.toMatchObject({ code: 'forbidden' });
    transport.callsOf('room:join')[0]!.answer(joinAnswer([message(1)]));
    await settle();
    expect(transport.callsOf('room:leave').map((c) => c.payload)).toEqual([{ roomId: 'room1' }]);
  });

  it('a left room is not re-joined after a reconnect and its live messages stop', async () => {
    const { sut, transport, seqs } = await connected();
    transport.handle('room:join', () => joinAnswer([message(1)]));
    transport.handle('room:leave', () => ({ ok: true }));
    await sut.join('room1');
    await sut.leave('room1');
    transport.fire('message', { message: message(2) });
    transport.drop();
    transport.connectTo('gateway-2');
    await settle();
    expect(transport.callsOf('room:join')).toHaveLength(1);
    expect(seqs()).toEqual([1]);
  });
});

import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { RawSocketIo } from './raw-socket-io';

/**
 * The load generator's own Socket.IO client against a real socket.io server (the servers'
 * library, in this process): what it must do to drive chatstream and the baseline as
 * socket.io-client does.
 */
describe('RawSocketIo against a socket.io server', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  const clients: RawSocketIo[] = [];

  beforeEach(async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'], pingInterval: 200, pingTimeout: 300 });
    io.use((socket, next) => (socket.handshake.auth.token === 'good' ? next() : next(new Error('unauthorized'))));
    io.on('connection', (socket) => {
      socket.emit('session', { instance: 'test-1', auth: socket.handshake.auth });
      socket.on('echo', (payload: unknown, ack: (answer: unknown) => void) => ack({ ok: true, payload }));
      socket.on('fan', (count: number, ack: (answer: unknown) => void) => {
        for (let i = 0; i < count; i++) socket.emit('message', { n: i });
        ack({ ok: true });
      });
      socket.on('kick', () => socket.disconnect(true));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await new Promise<void>((resolve) => void io.close(() => resolve()));
  });

  const open = (auth: Record<string, unknown>): { socket: RawSocketIo; events: Array<[string, unknown]> } => {
    const socket = new RawSocketIo({ url, auth, localAddress: '127.0.0.1' });
    clients.push(socket);
    const events: Array<[string, unknown]> = [];
    for (const name of ['session', 'message', 'error', 'disconnect', 'connect_error'] as const) socket.on(name, (p) => events.push([name, p]));
    socket.open();
    return { socket, events };
  };
  const until = async (check: () => boolean, ms = 2_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const call = (socket: RawSocketIo, event: string, payload: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!socket.emit(event, payload, resolve)) reject(new Error('not connected'));
    });

  it('connects with its auth object, receives events and gets each answer to its own call', async () => {
    const { socket, events } = open({ token: 'good' });
    await until(() => events.some(([e]) => e === 'session'));
    expect(events[0]).toEqual(['session', { instance: 'test-1', auth: { token: 'good' } }]);

    const answers = await Promise.all([call(socket, 'echo', { a: 1 }), call(socket, 'echo', 'two'), call(socket, 'echo', [3])]);
    expect(answers).toEqual([
      { ok: true, payload: { a: 1 } },
      { ok: true, payload: 'two' },
      { ok: true, payload: [3] },
    ]);
  });

  it('receives every event once, in the order sent', async () => {
    const { socket, events } = open({ token: 'good' });
    await until(() => events.length > 0);
    await call(socket, 'fan', 500);
    await until(() => events.filter(([e]) => e === 'message').length >= 500);
    expect(events.filter(([e]) => e === 'message').map(([, p]) => (p as { n: number }).n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('answers the server’s pings, so the connection outlives the ping timeout', async () => {
    const { socket, events } = open({ token: 'good' });
    await until(() => events.length > 0);
    await new Promise((r) => setTimeout(r, 1_200)); // 6 ping intervals; 300 ms without a pong closes it
    expect(events.some(([e]) => e === 'disconnect')).toBe(false);
    expect(await call(socket, 'echo', 'still here')).toEqual({ ok: true, payload: 'still here' });
  });

  it('reports a refused handshake as connect_error with the server’s message, and cannot emit', async () => {
    const { socket, events } = open({ token: 'bad' });
    await until(() => events.length > 0);
    expect(events[0]).toEqual(['connect_error', { message: 'unauthorized' }]);
    expect(socket.emit('echo', 1, () => undefined)).toBe(false);
  });

  it('reports a disconnect by the server once, and emits nothing after it', async () => {
    const { socket, events } = open({ token: 'good' });
    await until(() => events.length > 0);
    socket.emit('kick', null, () => undefined);
    await until(() => events.some(([e]) => e === 'disconnect'));
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter(([e]) => e === 'disconnect')).toEqual([['disconnect', 'io server disconnect']]);
    expect(socket.emit('echo', 1, () => undefined)).toBe(false);
  });

  it('leaves the server when closed', async () => {
    const { socket, events } = open({ token: 'good' });
    await until(() => events.length > 0);
    expect(io.of('/').sockets.size).toBe(1);
    socket.close();
    await until(() => io.of('/').sockets.size === 0);
    expect(events.filter(([e]) => e === 'disconnect')).toEqual([['disconnect', 'io client disconnect']]);
  });
});

import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { login, socketIoTransport } from '@app/client';
import { RawSocketIo, type WireEvent } from './raw-socket-io';

/** How a send ended: acknowledged, or the final error code. */
export type SendOutcome = { ok: true } | { ok: false; code: string };

/** One load generator client's connection, whichever server it speaks to. */
export interface LoadConnection {
  readonly instance: string;
  createRoom(name: string): Promise<string>;
  join(roomId: string): Promise<void>;
  /** message:send, retried with the same clientMsgId while rate limited (bounded by the deadline). */
  send(roomId: string, text: string, clientMsgId: string, deadlineMs: number): Promise<SendOutcome>;
  /** Each `message` event as the server sent it: the load generator counts duplicates and order itself. */
  onMessage(listener: (payload: unknown) => void): void;
  onError(listener: () => void): void;
  onDisconnect(listener: () => void): void;
  close(): void;
}

/**
 * Which Socket.IO client stack the load generator drives the servers with: `raw` speaks the
 * protocol on a `ws` WebSocket itself (raw-socket-io.ts, the default: ~15 % less of the load
 * generator's CPU, which the servers share), `socket.io` uses socket.io-client (chatstream through
 * the SDK's transport), as the figures before 2026-12-07 night were measured. The frames on the
 * wire are the same.
 */
export type ClientStack = 'raw' | 'socket.io';

/** A `--client` value (load generator or sweep) as a ClientStack, or a clear error. */
export function parseClientStack(value: string): ClientStack {
  if (value !== 'raw' && value !== 'socket.io') throw new Error(`--client must be raw or socket.io (got '${value}')`);
  return value;
}

export interface ConnectSettings {
  url: string;
  client: ClientStack;
  username: string;
  localAddress: string;
  timeoutMs: number;
  /** Told of each `rate_limited` answer to a send (the send waits it out and goes again). */
  onRateLimited: () => void;
}

/** What both servers offer: a socket that emits with an acknowledgement and delivers events. */
interface Wire {
  emit(event: string, payload: unknown, ack: (answer: unknown) => void): boolean;
  on(event: WireEvent, listener: (payload: unknown) => void): void;
  open(): void;
  close(): void;
}

/**
 * chatstream after the SDK's login, through raw-socket-io.ts or the SDK's socket.io-client
 * transport (the same socket options as every SDK client; no reconnection either way: a lost
 * connection is counted, not recovered). Not the SDK's ChatClient: its per-message work (a room feed and an emitter on every
 * delivery, retry bookkeeping on every send) was ~4 % of the load generator's busy CPU in a
 * profile at 21k deliveries/s, and it is work the baseline's client does not do, so the
 * chatstream/baseline ratio would measure the clients too. Its de-duplication would also hide the
 * duplicates and reorders the load generator counts.
 */
export async function chatstreamConnection(s: ConnectSettings): Promise<LoadConnection> {
  const { token } = await login(s.url, s.username);
  if (s.client === 'raw') return connectWire(new RawSocketIo({ url: s.url, auth: { token }, localAddress: s.localAddress }), s);
  const transport = socketIoTransport(s.url, token, {}, { localAddress: s.localAddress, reconnection: false, timeout: 10_000 });
  // Typed loosely once here: the load generator sends only what PROTOCOL.md defines, and parses every answer.
  return connectWire(transport as unknown as Wire, s);
}

/**
 * The baseline: a plain Socket.IO + redis-adapter chat server (tools/baseline/server.ts), not
 * chatstream, so not the SDK's transport: `auth: { username }` instead of a token.
 */
export async function baselineConnection(s: ConnectSettings): Promise<LoadConnection> {
  if (s.client === 'raw') return connectWire(new RawSocketIo({ url: s.url, auth: { username: s.username }, localAddress: s.localAddress }), s);
  const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
    auth: { username: s.username },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
    timeout: 10_000,
    localAddress: s.localAddress,
  };
  const socket = io(s.url, options);
  const wire: Wire = {
    emit: (event, payload, ack) => (socket.emit(event, payload, ack), true),
    on: (event, listener) => void socket.on(event, listener),
    open: () => void socket.connect(),
    close: () => void socket.close(),
  };
  return connectWire(wire, s);
}

type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; code: string; retryAfterMs?: number };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Opens the wire and waits for the server's `session` (bounded), then speaks the protocol on it. */
async function connectWire(wire: Wire, s: ConnectSettings): Promise<LoadConnection> {
  const instance = await new Promise<string>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`no session within ${s.timeoutMs} ms`), s.timeoutMs);
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      wire.close();
      reject(new Error(`${s.localAddress}: ${why}`));
    };
    wire.on('session', (session) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(isRecord(session) ? String(session.instance) : '?');
    });
    wire.on('connect_error', (e) => fail(`connect_error ${isRecord(e) ? String(e.message) : String(e)}`));
    wire.open();
  });

  /** Emits with an acknowledgement; none in time (or not connected) is a `timeout` answer. */
  const call = (event: string, payload: unknown, timeoutMs: number): Promise<Answer> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, code: 'timeout' }), Math.max(1, timeoutMs));
      const sent = wire.emit(event, payload, (answer) => {
        clearTimeout(timer);
        if (isRecord(answer) && answer.ok === true) return resolve({ ok: true, body: answer });
        const e = isRecord(answer) && isRecord(answer.error) ? answer.error : {};
        resolve({ ok: false, code: typeof e.code === 'string' ? e.code : 'malformed_ack', ...(typeof e.retryAfterMs === 'number' ? { retryAfterMs: e.retryAfterMs } : {}) });
      });
      if (!sent) {
        clearTimeout(timer);
        resolve({ ok: false, code: 'disconnected' });
      }
    });
  const ok = async (event: string, payload: unknown): Promise<Record<string, unknown>> => {
    const answer = await call(event, payload, 10_000);
    if (!answer.ok) throw new Error(`${event}: ${answer.code}`);
    return answer.body;
  };

  return {
    instance,
    createRoom: async (name) => {
      const room = (await ok('room:create', { name })).room;
      if (!isRecord(room) || typeof room.id !== 'string') throw new Error('room:create: no room id in the answer');
      return room.id;
    },
    join: async (roomId) => void (await ok('room:join', { roomId })),
    send: async (roomId, text, clientMsgId, deadlineMs) => {
      const deadline = Date.now() + deadlineMs;
      for (let attempt = 0; attempt < 20; attempt++) {
        const answer = await call('message:send', { roomId, text, clientMsgId }, Math.min(10_000, deadline - Date.now()));
        if (answer.ok) return { ok: true };
        if (answer.code !== 'rate_limited' || Date.now() >= deadline) return { ok: false, code: answer.code };
        s.onRateLimited();
        await sleep(Math.min(answer.retryAfterMs ?? 100, 2_000, deadline - Date.now()));
      }
      return { ok: false, code: 'gave_up' };
    },
    onMessage: (listener) => wire.on('message', listener),
    onError: (listener) => wire.on('error', listener),
    onDisconnect: (listener) => wire.on('disconnect', listener),
    close: () => wire.close(),
  };
}

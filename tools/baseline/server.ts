import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { collectDefaultMetrics, register } from 'prom-client';
import { Server, type Socket } from 'socket.io';

/**
 * The benchmark's baseline (DESIGN.md "Performance model"): the reference systems' architecture,
 * a minimal Socket.IO chat server whose replicas share rooms through @socket.io/redis-adapter.
 * No Kafka, no persistence, no order or de-duplication guarantees, no auth beyond a username in
 * the handshake. It speaks just enough of PROTOCOL.md for tools/loadgen to drive it like
 * chatstream: `session` on connect, `room:create`, `room:join {roomId}`,
 * `message:send {roomId, text, clientMsgId}` → `message {message}` to the room (every replica,
 * through Redis pub/sub) and ack `{ok: true, message}`. Messages carry no `seq` (nothing assigns
 * one). The Socket.IO options are the gateway's (apps/gateway/src/socket/chat-io.adapter.ts).
 * Not part of the product; never exposed.
 *
 *   PORT=3111 REDIS_URL=redis://127.0.0.1:6379 node dist/tools/baseline/server.js
 */
const port = Number(process.env.PORT ?? 3111);
const host = process.env.BIND_HOST ?? '127.0.0.1';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const instance = process.env.INSTANCE_ID ?? `baseline-${port}`;

interface User {
  id: string;
  username: string;
}
interface SocketData {
  user: User;
}
type AckFn = (answer: { ok: true } & Record<string, unknown>) => void;
type ErrAck = (answer: { ok: false; error: { code: string; message: string } }) => void;
type BaselineSocket = Socket<Record<string, (...args: unknown[]) => void>, Record<string, (...args: unknown[]) => void>, Record<string, never>, SocketData>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.trim().length > 0 && v.length <= max ? v : undefined);
const ackOf = (a: unknown): ((answer: unknown) => void) | undefined => (typeof a === 'function' ? (a as (answer: unknown) => void) : undefined);

const pub = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
const sub = pub.duplicate();
// Node's process metrics (event-loop lag, memory), as every chatstream service serves them, so
// the benchmark reads both systems the same way.
collectDefaultMetrics();
const http = createServer((req, res) => {
  if (req.url === '/metrics') {
    void register.metrics().then((text) => res.writeHead(200, { 'content-type': register.contentType }).end(text));
    return;
  }
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', instance }));
    return;
  }
  res.writeHead(404).end();
});
const io = new Server<Record<string, (...args: unknown[]) => void>, Record<string, (...args: unknown[]) => void>, Record<string, never>, SocketData>(http, {
  maxHttpBufferSize: 2 * 1024 * 1024,
  pingInterval: 10_000,
  pingTimeout: 5_000,
  transports: ['websocket', 'polling'],
});
io.adapter(createAdapter(pub, sub, { key: 'baseline-bench' }));

io.use((socket, next) => {
  const auth: unknown = socket.handshake.auth;
  const username = isRecord(auth) ? str(auth.username, 64) : undefined;
  if (!username) return next(new Error('unauthorized'));
  socket.data.user = { id: username, username };
  next();
});

const fail = (ack: unknown, code: string, message: string): void => {
  const fn = ackOf(ack) as ErrAck | undefined;
  fn?.({ ok: false, error: { code, message } });
};
const ok = (ack: unknown, body: Record<string, unknown>): void => {
  const fn = ackOf(ack) as AckFn | undefined;
  fn?.({ ok: true, ...body });
};

io.on('connection', (socket: BaselineSocket) => {
  const user = socket.data.user;
  socket.emit('session', { userId: user.id, username: user.username, sessionId: socket.id, instance });

  socket.on('room:create', (payload: unknown, ack: unknown) => {
    const name = isRecord(payload) ? str(payload.name, 64) : undefined;
    if (!name) return fail(ack, 'bad_request', 'name');
    ok(ack, { room: { id: randomUUID().slice(0, 12), name, createdAt: new Date().toISOString(), createdBy: user, memberCount: 0, messageCount: 0 } });
  });

  socket.on('room:join', (payload: unknown, ack: unknown) => {
    const roomId = isRecord(payload) ? str(payload.roomId, 64) : undefined;
    if (!roomId) return fail(ack, 'bad_request', 'roomId');
    void socket.join(roomId);
    ok(ack, { room: { id: roomId }, members: [], messages: [], hasMore: false });
  });

  socket.on('message:send', (payload: unknown, ack: unknown) => {
    if (!isRecord(payload)) return fail(ack, 'bad_request', 'payload');
    const roomId = str(payload.roomId, 64);
    const text = str(payload.text, 4000);
    const clientMsgId = str(payload.clientMsgId, 128);
    if (!roomId || !text || !clientMsgId) return fail(ack, 'bad_request', 'roomId, text and clientMsgId are required');
    if (!socket.rooms.has(roomId)) return fail(ack, 'forbidden', 'not in this room');
    const message = { id: randomUUID(), roomId, clientMsgId, user, text, sentAt: new Date().toISOString() };
    io.to(roomId).emit('message', { message });
    ok(ack, { message });
  });
});

http.listen(port, host, () => console.log(JSON.stringify({ msg: 'baseline listening', instance, host, port })));

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 3_000).unref();
  void io.close(() => void Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

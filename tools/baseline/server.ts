import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

/**
 * The benchmark's baseline (DESIGN.md "Performance model"): the reference systems' architecture,
 * a minimal Socket.IO chat server whose replicas share rooms through @socket.io/redis-adapter. No
 * Kafka, no persistence, no ordering or de-duplication guarantees, username-only auth. It speaks
 * just enough of PROTOCOL.md (room:create, room:join, message:send, message) for the load
 * generator to drive it exactly like chatstream. Not part of the product.
 *
 *   PORT=3111 REDIS_URL=redis://127.0.0.1:6379 node dist/tools/baseline/server.js
 */
const port = Number(process.env.PORT ?? 3111);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Ack = (answer: unknown) => void;
const isAck = (a: unknown): a is Ack => typeof a === 'function';
const str = (v: unknown, max = 4000): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const io = new Server(port, { transports: ['websocket', 'polling'], maxHttpBufferSize: 2 * 1024 * 1024 });
io.adapter(createAdapter(pub, sub, { key: 'baseline' }));

io.use((socket, next) => {
  const username = str((socket.handshake.auth as Record<string, unknown>)?.username, 32);
  if (!username) return next(new Error('unauthorized'));
  socket.data.user = { id: username, username };
  next();
});

io.on('connection', (socket) => {
  socket.emit('session', { userId: socket.data.user.id, username: socket.data.user.username, sessionId: socket.id, instance: `baseline-${port}` });

  socket.on('room:create', (payload: { name?: unknown }, ack: unknown) => {
    if (isAck(ack)) ack({ ok: true, room: { id: randomUUID().slice(0, 10), name: str(payload?.name, 64) ?? 'room' } });
  });

  socket.on('room:join', (payload: { roomId?: unknown }, ack: unknown) => {
    const roomId = str(payload?.roomId, 64);
    if (!roomId) return isAck(ack) && ack({ ok: false, error: { code: 'bad_request', message: 'roomId' } });
    void socket.join(roomId);
    if (isAck(ack)) ack({ ok: true, room: { id: roomId }, members: [], messages: [], hasMore: false });
  });

  socket.on('message:send', (payload: { roomId?: unknown; text?: unknown; clientMsgId?: unknown }, ack: unknown) => {
    const roomId = str(payload?.roomId, 64);
    const text = str(payload?.text);
    if (!roomId || !text || !socket.rooms.has(roomId)) {
      return isAck(ack) && ack({ ok: false, error: { code: 'bad_request', message: 'invalid send' } });
    }
    const message = { id: randomUUID(), roomId, seq: 0, clientMsgId: str(payload?.clientMsgId, 128) ?? '', user: socket.data.user, text, sentAt: new Date().toISOString() };
    io.to(roomId).emit('message', { message });
    if (isAck(ack)) ack({ ok: true, message });
  });
});

const stop = () => io.close(() => void Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log(JSON.stringify({ msg: 'baseline listening', port }));

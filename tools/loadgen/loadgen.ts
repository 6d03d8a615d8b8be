import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { ChatMessage } from '@app/contracts';
import { percentile, rssKiB } from './stats';

/**
 * chatstream's load generator. Connects `clients` sockets from distinct /24 source addresses
 * (Nginx ip_hash spreads them over the replicas), puts them in `rooms` rooms, and has each send
 * `messages` messages every `interval` ms with its send time in the text. Every loop is bounded
 * in count and by `max-seconds`. Prints one JSON line of results.
 *
 *   node dist/tools/loadgen/loadgen.js --mode chatstream --url http://127.0.0.1:3001 --pids 1,2,3
 */
const { values: opts } = parseArgs({
  options: {
    mode: { type: 'string', default: 'chatstream' },
    url: { type: 'string', default: 'http://127.0.0.1:3001' },
    clients: { type: 'string', default: '60' },
    rooms: { type: 'string', default: '6' },
    messages: { type: 'string', default: '100' },
    interval: { type: 'string', default: '25' },
    'max-seconds': { type: 'string', default: '90' },
    subnet: { type: 'string', default: '20' },
    pids: { type: 'string', default: '' },
  },
});
const mode = opts.mode === 'baseline' ? 'baseline' : 'chatstream';
const CLIENTS = Number(opts.clients);
const ROOMS = Number(opts.rooms);
const MESSAGES = Number(opts.messages);
const INTERVAL = Number(opts.interval);
const DEADLINE = Date.now() + Number(opts['max-seconds']) * 1000;
const pids = opts.pids ? opts.pids.split(',').map(Number) : [];
const now = () => performance.timeOrigin + performance.now();

interface Client {
  socket: Socket;
  index: number;
  instance: string;
  roomId: string;
  received: number;
  seenIds: Set<string>;
  lastSeq: number;
}

const ackLatency: number[] = [];
const deliveryLatency: number[] = [];
let acked = 0;
let failed = 0;
let duplicates = 0;
let outOfOrder = 0;
let expected = 0;

function emitAck<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 15_000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

async function identity(i: number): Promise<Record<string, string>> {
  const username = `load-${mode}-${i}-${randomUUID().slice(0, 4)}`;
  if (mode === 'baseline') return { username };
  const response = await fetch(`${opts.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) });
  if (!response.ok) throw new Error(`login failed: ${response.status}`);
  return { token: ((await response.json()) as { token: string }).token };
}

async function connect(i: number): Promise<Client> {
  const base = Number(opts.subnet);
  const localAddress = `127.${base + Math.floor(i / 250)}.${(i % 250) + 1}.1`;
  const socket = io(opts.url!, { auth: await identity(i), transports: ['websocket'], reconnection: false, forceNew: true, localAddress } as never);
  const instance = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no session')), 15_000);
    socket.once('session', (s: { instance: string }) => (clearTimeout(timer), resolve(s.instance)));
    socket.once('connect_error', (e) => (clearTimeout(timer), reject(e)));
  });
  const client: Client = { socket, index: i, instance, roomId: '', received: 0, seenIds: new Set(), lastSeq: 0 };
  socket.on('message', ({ message }: { message: ChatMessage }) => {
    const [sentAt] = message.text.split('|');
    deliveryLatency.push(now() - Number(sentAt));
    if (client.seenIds.has(message.id)) duplicates++;
    client.seenIds.add(message.id);
    if (mode === 'chatstream') {
      if (message.seq <= client.lastSeq) outOfOrder++;
      client.lastSeq = message.seq;
    }
    client.received++;
  });
  return client;
}

async function main(): Promise<void> {
  const rssBefore = pids.reduce((s, p) => s + rssKiB(p), 0);
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i += 20) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(20, CLIENTS - i) }, (_, k) => connect(i + k)))));
  }
  const roomIds: string[] = [];
  for (let r = 0; r < ROOMS; r++) {
    const answer = await emitAck<{ ok: boolean; room: { id: string } }>(clients[r]!.socket, 'room:create', { name: `load ${r}` });
    roomIds.push(answer.room.id);
  }
  for (const c of clients) {
    c.roomId = roomIds[c.index % ROOMS]!;
    const answer = await emitAck<{ ok: boolean }>(c.socket, 'room:join', { roomId: c.roomId });
    if (!answer.ok) throw new Error(`join failed: ${JSON.stringify(answer)}`);
  }
  const rssConnected = pids.reduce((s, p) => s + rssKiB(p), 0);
  const membersOf = (roomId: string) => clients.filter((c) => c.roomId === roomId).length;

  const started = now();
  await Promise.all(
    clients.map(async (c) => {
      for (let k = 0; k < MESSAGES && Date.now() < DEADLINE; k++) {
        const next = started + k * INTERVAL + (c.index % INTERVAL);
        const wait = next - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const sentAt = now();
        try {
          const answer = await emitAck<{ ok: boolean }>(c.socket, 'message:send', { roomId: c.roomId, text: `${sentAt}|${c.index}|${k}`, clientMsgId: randomUUID() });
          if (answer.ok) {
            acked++;
            expected += membersOf(c.roomId);
            ackLatency.push(now() - sentAt);
          } else failed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  const sendSeconds = (now() - started) / 1000;
  const received = () => clients.reduce((s, c) => s + c.received, 0);
  const drainUntil = Math.min(DEADLINE, Date.now() + 15_000);
  while (received() < expected && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  const totalSeconds = (now() - started) / 1000;
  const rssAfter = pids.reduce((s, p) => s + rssKiB(p), 0);
  clients.forEach((c) => c.socket.close());

  const byInstance: Record<string, number> = {};
  for (const c of clients) byInstance[c.instance] = (byInstance[c.instance] ?? 0) + 1;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      mode,
      clients: CLIENTS,
      rooms: ROOMS,
      messagesPerClient: MESSAGES,
      intervalMs: INTERVAL,
      replicas: byInstance,
      acked,
      failed,
      ackedPerSecond: r1(acked / sendSeconds),
      deliveredPerSecond: r1(received() / totalSeconds),
      ackP50: r1(percentile(ackLatency, 50)),
      ackP95: r1(percentile(ackLatency, 95)),
      ackP99: r1(percentile(ackLatency, 99)),
      e2eP50: r1(percentile(deliveryLatency, 50)),
      e2eP95: r1(percentile(deliveryLatency, 95)),
      e2eP99: r1(percentile(deliveryLatency, 99)),
      expectedDeliveries: expected,
      delivered: received(),
      lost: Math.max(0, expected - received()),
      duplicates,
      outOfOrder,
      rssIdleMiB: r1(rssBefore / 1024),
      rssPerConnectionKiB: r1((rssConnected - rssBefore) / CLIENTS),
      rssAfterMiB: r1(rssAfter / 1024),
    }),
  );
}

const watchdog = setTimeout(() => {
  console.error('loadgen: max-seconds exceeded');
  process.exit(2);
}, Number(opts['max-seconds']) * 1000 + 30_000);
watchdog.unref();
main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`loadgen failed: ${error.message}`);
    process.exit(1);
  },
);

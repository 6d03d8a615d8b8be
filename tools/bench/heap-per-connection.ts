/**
 * What one idle Socket.IO connection keeps reachable in a server's JS heap, by kind of object.
 * Takes a heap snapshot of a running server through its inspector (`node --inspect=HOST:PORT`;
 * V8 collects garbage first, so only reachable objects count), opens N connections straight to
 * the server, takes another, and prints the difference per connection, grouped by V8's node type
 * and name, JIT code left out. Measure a gateway and a baseline replica the same way to see what
 * one keeps that the other does not (docs/benchmarks.md, 2026-12-07).
 *
 * Usage: node dist/tools/bench/heap-per-connection.js --server http://127.0.0.1:3101
 *   --inspector http://127.0.0.1:9229 [--connections 2000] [--baseline] [--login http://127.0.0.1:3001]
 * A chatstream gateway needs tokens (50 users logged in through --login); `--baseline` signs in
 * with a username instead. Clients send the headers Nginx adds and a browser's, as in production.
 */
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { login } from './seed';

/** The part of a V8 heap snapshot this reads. */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and objects by "type:name" (strings and code by type alone: their names are their contents). */
export type HeapSummary = Map<string, { count: number; bytes: number }>;

const NAMELESS = new Set(['string', 'concatenated string', 'sliced string', 'code', 'number']);

export function summarize(snapshot: HeapSnapshot): HeapSummary {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const summary: HeapSummary = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const kind = types[snapshot.nodes[i + type]!]!;
    const key = NAMELESS.has(kind) ? kind : `${kind}:${snapshot.strings[snapshot.nodes[i + name]!]!.slice(0, 60)}`;
    const entry = summary.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snapshot.nodes[i + size]!;
    summary.set(key, entry);
  }
  return summary;
}

export interface PerConnection {
  /** Reachable bytes per connection, JIT code left out (compiled during the run, not kept per connection). */
  bytes: number;
  rows: { key: string; count: number; bytes: number }[];
}

/** The growth from `before` to `after`, per connection, largest first. */
export function perConnection(before: HeapSummary, after: HeapSummary, connections: number): PerConnection {
  const rows: PerConnection['rows'] = [];
  let total = 0;
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (key === 'code' || key.startsWith('code:')) continue;
    const a = before.get(key) ?? { count: 0, bytes: 0 };
    const b = after.get(key) ?? { count: 0, bytes: 0 };
    total += b.bytes - a.bytes;
    rows.push({ key, count: (b.count - a.count) / connections, bytes: (b.bytes - a.bytes) / connections });
  }
  rows.sort((x, y) => y.bytes - x.bytes);
  return { bytes: total / connections, rows };
}

/** A heap snapshot through the Chrome DevTools protocol (one call at a time). */
async function takeSnapshot(inspector: string): Promise<HeapSnapshot> {
  const [target] = (await (await fetch(`${inspector}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(target!.webSocketDebuggerUrl, { maxPayload: 2 ** 30 });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const chunks: string[] = [];
  let id = 0;
  const call = (method: string) =>
    new Promise<void>((resolve) => {
      const me = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data))).toString('utf8');
        const message = JSON.parse(text) as { id?: number; method?: string; params?: { chunk: string } };
        if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params!.chunk);
        else if (message.id === me) {
          ws.off('message', onMessage);
          resolve();
        }
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: me, method }));
    });
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.takeHeapSnapshot');
  ws.close();
  return JSON.parse(chunks.join('')) as HeapSnapshot;
}

const BROWSER_HEADERS = {
  'x-real-ip': '127.0.0.1',
  'x-forwarded-for': '127.0.1.1',
  'x-forwarded-proto': 'http',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'accept-language': 'en-US,en;q=0.9',
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      inspector: { type: 'string' },
      connections: { type: 'string', default: '2000' },
      baseline: { type: 'boolean', default: false },
      login: { type: 'string', default: 'http://127.0.0.1:3001' },
    },
  });
  if (!values.server || !values.inspector) throw new Error('--server and --inspector are required (see the comment at the top)');
  const wanted = Number(values.connections);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 10_000) throw new Error('--connections must be an integer in 1..10000');
  const auth: Record<string, string>[] = [];
  for (let u = 0; u < 50; u++) {
    const username = `heap-${u}`;
    auth.push(values.baseline ? { username } : { token: (await login(values.login, username)).token });
  }
  const before = summarize(await takeSnapshot(values.inspector));
  const sockets: Socket[] = [];
  let connected = 0;
  for (let i = 0; i < wanted; i += 100) {
    const batch = Array.from({ length: Math.min(100, wanted - i) }, (_, k) => {
      const socket = io(values.server!, { transports: ['websocket'], auth: auth[(i + k) % auth.length], reconnection: false, forceNew: true, extraHeaders: BROWSER_HEADERS, timeout: 10_000 });
      sockets.push(socket);
      return new Promise<void>((resolve) => {
        socket.once('connect', () => ((connected += 1), resolve()));
        socket.once('connect_error', () => resolve());
      });
    });
    await Promise.all(batch);
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the handshakes' follow-ups finish
  const result = perConnection(before, summarize(await takeSnapshot(values.inspector)), connected);
  for (const socket of sockets) socket.close();
  console.log(`${connected} of ${wanted} connected; reachable JS heap per connection (JIT code left out): ${Math.round(result.bytes)} B`);
  for (const row of result.rows.filter((r) => Math.abs(r.bytes) >= 8).slice(0, 40)) {
    console.log(`${row.bytes.toFixed(0).padStart(7)} B  ${row.count.toFixed(2).padStart(6)} per connection  ${row.key}`);
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}

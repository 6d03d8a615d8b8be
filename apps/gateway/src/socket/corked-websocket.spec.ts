import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as TcpSocket } from 'node:net';
import { Server as EngineServer, type Socket as EngineSocket } from 'engine.io';
import WebSocket from 'ws';
import { until } from '@app/testing';
import { useCorkedWebSockets } from './corked-websocket';

/**
 * A real engine.io server and a WebSocket client on 127.0.0.1 (no stand-in): the TCP socket's
 * system calls are counted where Node makes them (`_writev` / `_write` of the net.Socket).
 */
interface Harness {
  http: HttpServer;
  engine: EngineServer;
  client: WebSocket;
  server: EngineSocket;
  /** Messages the client received, in order (engine.io's "4" message packets, prefix removed). */
  received: string[];
}

const open: Harness[] = [];

async function connect(corked: boolean): Promise<Harness> {
  const http = createServer();
  const engine = new EngineServer({ transports: ['websocket'] });
  if (corked) useCorkedWebSockets(engine);
  engine.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const serverSocket = new Promise<EngineSocket>((resolve) => engine.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket`);
  const received: string[] = [];
  client.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    if (text.startsWith('4')) received.push(text.slice(1));
  });
  const harness = { http, engine, client, server: await serverSocket, received };
  open.push(harness);
  await until(() => harness.server.transport.writable, 2_000, 'the handshake written'); // its own write is done
  return harness;
}

/** Counts the system calls the server makes on the connection's TCP socket from now on. */
function countWrites(server: EngineSocket): () => number {
  type Write = (...args: unknown[]) => void;
  const tcp = (server.transport as unknown as { socket: { _socket: TcpSocket & { _writev: Write; _write: Write } } }).socket._socket;
  let calls = 0;
  for (const method of ['_writev', '_write'] as const) {
    const original = tcp[method].bind(tcp);
    tcp[method] = (...args: unknown[]) => {
      calls++;
      original(...args);
    };
  }
  return () => calls;
}

/** Emits `count` messages in one go: the first is written at once, the others wait for it and flush together. */
async function burst(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i++) h.server.send(`m${i}`);
  await until(() => h.received.length === count, 2_000, `${count} messages`);
}

describe('CorkedWebSocket', () => {
  afterEach(async () => {
    for (const h of open.splice(0)) {
      h.client.terminate();
      h.engine.close();
      await new Promise((r) => h.http.close(r));
    }
  });

  it('writes the packets that waited for a write in one system call', async () => {
    const h = await connect(true);
    const writes = countWrites(h.server);
    await burst(h, 6);
    expect(h.received).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(writes()).toBe(2); // m0 alone, then m1..m5 together
  });

  it('(stock engine.io, for contrast) writes each waiting packet with its own system call', async () => {
    const h = await connect(false);
    const writes = countWrites(h.server);
    await burst(h, 6);
    expect(h.received).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(writes()).toBe(6);
  });

  it('still delivers single packets and later bursts in order', async () => {
    const h = await connect(true);
    await burst(h, 1);
    h.server.send('late-a');
    h.server.send('late-b');
    await until(() => h.received.length === 3, 2_000, '3 messages');
    expect(h.received).toEqual(['m0', 'late-a', 'late-b']);
  });
});

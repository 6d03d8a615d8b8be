import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sourceAddress } from '@app/client';
import { baselineConnection, chatstreamConnection, type LoadConnection } from './connections';
import { dataDir, type LoadOptions, parseOptions, USAGE } from './options';
import { percentile, round1, sum } from '../bench/stats';
import { cpuSeconds, filesMatching, pidsFromFiles, rssKiB, withDescendants } from './stats';
import type { LoadResult } from './result';
import { formatResult } from './result';

/**
 * chatstream's load generator (DESIGN.md "Performance model"); a benchmark, not a test.
 *
 * Connects `clients` sockets (websocket only; by default speaking the Socket.IO protocol on `ws`
 * itself, or with socket.io-client: see connections.ts), each from its own /24 of 127.0.0.0/8
 * (sourceAddress) so that Nginx's ip_hash spreads them over the replicas; the clients of each replica are dealt over the
 * rooms, so every room has members on every replica. After `warmup`
 * unmeasured messages, every client sends `messages` messages, one every `interval` ms (open
 * loop: a send does not wait for the previous ack, at most `max-inflight` unacknowledged), each
 * with a fresh clientMsgId and its send time in the text (`t:<epoch ms>:<n>`). Every member of a
 * room, the sender included, should receive every message of the room exactly once, in one order.
 *
 * Counts: acks and their latency; deliveries and send→receive latency; loss (acknowledged message
 * × member not received), duplicates (same clientMsgId twice at one receiver), out-of-order
 * (a receiver's `seq` not increasing; chatstream only, the baseline has no seq), receivers whose
 * order of a room differs from the room's first member, and per-sender reorders. Memory: VmRSS of
 * the server processes before connecting, once connected and after the load. Every phase and
 * loop is bounded in count and by --max-seconds. Prints a table, then one JSON line.
 *
 *   node dist/tools/loadgen/loadgen.js --mode chatstream --clients 60 --messages 50
 *   node dist/tools/loadgen/loadgen.js --mode baseline --url http://127.0.0.1:3002
 */

interface Client {
  index: number;
  conn: LoadConnection;
  instance: string;
  roomId: string;
  /** clientMsgIds received (measured and warm-up). */
  seen: Set<string>;
  /** clientMsgIds in the order received. */
  order: string[];
  lastSeq: number;
  lastNBySender: Map<string, number>;
  disconnected: boolean;
}

interface SentRecord {
  roomId: string;
  sentAt: number;
  acked: boolean;
  measured: boolean;
}

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const round2 = (x: number): number => Math.round(x * 100) / 100;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TEXT = /^([tw]):(\d+(?:\.\d+)?):(\d+)$/;

class LoadRun {
  readonly deadline: number;
  readonly clients: Client[] = [];
  readonly sent = new Map<string, SentRecord>();
  readonly ackLatency: number[] = [];
  readonly e2eLatency: number[] = [];
  readonly errors: Record<string, number> = {};
  acked = 0;
  failed = 0;
  rateLimitedRetries = 0;
  delivered = 0;
  duplicates = 0;
  outOfOrder = 0;
  senderReorders = 0;
  errorEvents = 0;
  disconnects = 0;
  timedOut = false;
  firstSendAt = 0;
  lastAckAt = 0;
  lastDeliveryAt = 0;
  expectedDeliveries = 0;
  expectedWarmup = 0;
  deliveredWarmup = 0;
  sawSeq = false;

  constructor(readonly o: LoadOptions) {
    this.deadline = Date.now() + o.maxSeconds * 1000;
  }

  left(): number {
    return this.deadline - Date.now();
  }

  private note(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /** chatstream after a login, the baseline (not chatstream) with a username; connections.ts. */
  private async connect(i: number): Promise<Client> {
    const settings = {
      url: this.o.url,
      client: this.o.client,
      username: `load-${this.o.mode}-${i}-${randomUUID().slice(0, 6)}`,
      localAddress: sourceAddress(this.o.firstSubnet + i),
      timeoutMs: Math.max(1, Math.min(15_000, this.left())),
      onRateLimited: () => void this.rateLimitedRetries++,
    };
    const conn = await (this.o.mode === 'chatstream' ? chatstreamConnection(settings) : baselineConnection(settings)).catch((error: unknown) => {
      throw new Error(`client ${i}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const client: Client = {
      index: i,
      conn,
      instance: conn.instance,
      roomId: '',
      seen: new Set(),
      order: [],
      lastSeq: 0,
      lastNBySender: new Map(),
      disconnected: false,
    };
    conn.onMessage((payload) => this.onMessage(client, payload));
    conn.onError(() => void this.errorEvents++);
    conn.onDisconnect(() => {
      if (!client.disconnected) this.disconnects++;
      client.disconnected = true;
    });
    return client;
  }

  private onMessage(client: Client, payload: unknown): void {
    const at = now();
    const message = isRecord(payload) && isRecord(payload.message) ? payload.message : null;
    if (!message || typeof message.text !== 'string') return;
    const match = TEXT.exec(message.text);
    if (!match) return;
    const id = typeof message.clientMsgId === 'string' && message.clientMsgId ? message.clientMsgId : String(message.id);
    if (client.seen.has(id)) {
      this.duplicates++;
      return;
    }
    client.seen.add(id);
    client.order.push(id);
    if (typeof message.seq === 'number') {
      this.sawSeq = true;
      if (message.seq <= client.lastSeq) this.outOfOrder++;
      client.lastSeq = message.seq;
    }
    const sender = isRecord(message.user) && typeof message.user.id === 'string' ? message.user.id : '?';
    const n = Number(match[3]);
    if (n <= (client.lastNBySender.get(sender) ?? -1)) this.senderReorders++;
    client.lastNBySender.set(sender, n);
    if (match[1] === 'w') {
      this.deliveredWarmup++;
      return;
    }
    this.delivered++;
    this.lastDeliveryAt = at;
    this.e2eLatency.push(at - Number(match[2]));
  }

  async connectAll(): Promise<void> {
    const batch = 20;
    for (let i = 0; i < this.o.clients; i += batch) {
      if (this.left() <= 0) throw new Error(`max-seconds reached while connecting (${this.clients.length}/${this.o.clients})`);
      const size = Math.min(batch, this.o.clients - i);
      this.clients.push(...(await Promise.all(Array.from({ length: size }, (_, k) => this.connect(i + k)))));
    }
  }

  async joinRooms(): Promise<string[]> {
    const roomIds: string[] = [];
    for (let r = 0; r < this.o.rooms; r++) {
      roomIds.push(await this.clients[r]!.conn.createRoom(`load ${r} ${randomUUID().slice(0, 6)}`));
    }
    // Deal the clients to the rooms grouped by replica, so that every room has members on every
    // replica whatever pattern ip_hash makes of the addresses (with 3 replicas it maps successive
    // /24s round-robin-like, so `index % rooms` would put whole rooms on one replica).
    const dealt = [...this.clients].sort((a, b) => a.instance.localeCompare(b.instance) || a.index - b.index);
    dealt.forEach((c, k) => (c.roomId = roomIds[k % this.o.rooms]!));
    for (let i = 0; i < this.clients.length; i += 20) {
      await Promise.all(
        this.clients.slice(i, i + 20).map((c) =>
          c.conn.join(c.roomId).catch((error: unknown) => {
            throw new Error(`room:join of client ${c.index} failed: ${error instanceof Error ? error.message : String(error)}`);
          }),
        ),
      );
    }
    return roomIds;
  }

  private membersOf(roomId: string): number {
    return this.clients.filter((c) => c.roomId === roomId).length;
  }

  /** One message with a fresh clientMsgId, retried with that id while rate limited (bounded). */
  private async sendOne(c: Client, n: number, measured: boolean): Promise<void> {
    const clientMsgId = randomUUID();
    const sentAt = now();
    const record: SentRecord = { roomId: c.roomId, sentAt, acked: false, measured };
    this.sent.set(clientMsgId, record);
    const text = `${measured ? 't' : 'w'}:${sentAt.toFixed(3)}:${n}`;
    const outcome = await c.conn.send(c.roomId, text, clientMsgId, Math.max(1, Math.min(30_000, this.left())));
    if (outcome.ok) {
      const at = now();
      record.acked = true;
      if (measured) {
        this.acked++;
        this.ackLatency.push(at - sentAt);
        this.lastAckAt = at;
        this.expectedDeliveries += this.membersOf(c.roomId);
      } else this.expectedWarmup += this.membersOf(c.roomId);
    } else if (measured) {
      this.failed++;
      this.note(outcome.code);
    }
  }

  /** Each client sends `count` messages on its own schedule (open loop, bounded in flight). */
  async sendPhase(count: number, measured: boolean, firstN: number): Promise<void> {
    const start = now() + 20;
    if (measured) this.firstSendAt = start;
    const interval = this.o.intervalMs;
    await Promise.all(
      this.clients.map(async (c) => {
        const offset = (c.index * interval) / this.clients.length; // spread the clients over one interval
        const inflight = new Set<Promise<void>>();
        for (let k = 0; k < count; k++) {
          if (this.left() <= 0) {
            this.timedOut = true;
            break;
          }
          await sleep(start + offset + k * interval - now());
          while (inflight.size >= this.o.maxInflight && this.left() > 0) await Promise.race(inflight);
          const p: Promise<void> = this.sendOne(c, firstN + k, measured).finally(() => inflight.delete(p));
          inflight.add(p);
        }
        await Promise.all(inflight);
      }),
    );
  }

  /** Waits (bounded) until the expected deliveries arrived. */
  async drain(get: () => number, expected: () => number): Promise<void> {
    const until = Date.now() + Math.min(this.o.drainSeconds * 1000, Math.max(0, this.left()));
    while (get() < expected() && Date.now() < until) await sleep(25);
  }

  /** Rooms whose members are connected to more than one replica (the cross-replica fan-out case). */
  roomsSpanningReplicas(): number {
    const byRoom = new Map<string, Set<string>>();
    for (const c of this.clients) byRoom.set(c.roomId, (byRoom.get(c.roomId) ?? new Set()).add(c.instance));
    return [...byRoom.values()].filter((s) => s.size > 1).length;
  }

  /** Acknowledged measured messages × members that never arrived, and arrivals of unacked sends. */
  accounting(): { lost: number; unexpected: number; orderMismatches: number } {
    let lost = 0;
    let unexpected = 0;
    const byRoom = new Map<string, Client[]>();
    for (const c of this.clients) byRoom.set(c.roomId, [...(byRoom.get(c.roomId) ?? []), c]);
    for (const [id, rec] of this.sent) {
      if (!rec.measured) continue;
      for (const c of byRoom.get(rec.roomId) ?? []) {
        const got = c.seen.has(id);
        if (rec.acked && !got) lost++;
        if (!rec.acked && got) unexpected++;
      }
    }
    // One order per room: each member's sequence (restricted to what every member got) vs the first member's.
    let orderMismatches = 0;
    for (const members of byRoom.values()) {
      const common = members[0]!.order.filter((id) => members.every((m) => m.seen.has(id)));
      const ref = common.join(',');
      for (const m of members.slice(1)) {
        if (m.order.filter((id) => members.every((x) => x.seen.has(id))).join(',') !== ref) orderMismatches++;
      }
    }
    return { lost, unexpected, orderMismatches };
  }

  /** One line for a person watching a long run: phase, elapsed, rates, current p99s. */
  progressLine(): string {
    const elapsed = Math.max(0.001, (now() - this.firstSendAt) / 1000);
    const p99 = (xs: number[]): string => (xs.length ? `${round1(percentile(xs, 99))} ms` : '-');
    return (
      `[loadgen ${this.o.label}] measuring ${elapsed.toFixed(0)} s: acked ${this.acked} (${Math.round(this.acked / elapsed)}/s), ` +
      `delivered ${this.delivered} (${Math.round(this.delivered / elapsed)}/s), failed ${this.failed}, ` +
      `ack p99 ${p99(this.ackLatency)}, send→receive p99 ${p99(this.e2eLatency)}`
    );
  }

  close(): void {
    for (const c of this.clients) {
      c.disconnected = true;
      c.conn.close();
    }
  }
}

function defaultPidFiles(o: LoadOptions): { main: string[]; support: string[] } {
  const data = dataDir();
  if (o.mode === 'chatstream') {
    return {
      main: o.pidFiles.length ? o.pidFiles : filesMatching(`${data}/run`, /^gateway-\d+\.pid$/),
      support: o.supportPidFiles,
    };
  }
  return { main: o.pidFiles.length ? o.pidFiles : filesMatching(`${data}/bench/run`, /^baseline-\d+\.pid$/), support: o.supportPidFiles };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2), process.env);
  const members = Math.ceil(o.clients / o.rooms);
  if (o.mode === 'chatstream' && members > Number(process.env.ROOM_CAPACITY ?? 100)) {
    console.error(`loadgen: warning: ${members} members per room exceeds ROOM_CAPACITY (${process.env.ROOM_CAPACITY ?? 100}); joins will be room_full`);
  }
  const files = defaultPidFiles(o);
  const pids = pidsFromFiles(files.main);
  const supportPids = withDescendants(pidsFromFiles(files.support));
  const componentPids = o.components.map((c) => ({ name: c.name, pids: withDescendants(pidsFromFiles(c.pidFiles)) }));
  const componentCpu = (): Record<string, number> => {
    const own = process.cpuUsage();
    const out: Record<string, number> = { loadgen: (own.user + own.system) / 1e6 };
    for (const c of componentPids) out[c.name] = sum(c.pids.map(cpuSeconds));
    return out;
  };
  const rss = (): number => sum(pids.map(rssKiB));
  const cpu = (): { main: number; support: number } => ({ main: sum(pids.map(cpuSeconds)), support: sum(supportPids.map(cpuSeconds)) });

  const run = new LoadRun(o);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const startedAt = new Date().toISOString();
  const rssBefore = rss();
  try {
    await run.connectAll();
    await run.joinRooms();
    await sleep(300); // let the servers settle (GC, presence) before sampling memory
    const rssConnected = rss();

    if (o.warmup > 0) {
      await run.sendPhase(o.warmup, false, 0);
      await run.drain(
        () => run.deliveredWarmup,
        () => run.expectedWarmup,
      );
    }

    const cpuStart = cpu();
    const componentsStart = componentCpu();
    loop.enable();
    const progress = o.progress ? setInterval(() => console.error(run.progressLine()), 3_000) : null;
    await run.sendPhase(o.messages, true, o.warmup);
    await run.drain(
      () => run.delivered,
      () => run.expectedDeliveries,
    );
    if (progress) clearInterval(progress);
    loop.disable();
    const cpuEnd = cpu();
    const componentsEnd = componentCpu();
    const cpuSecondsByComponent = Object.fromEntries(
      Object.entries(componentsEnd).map(([name, end]) => [name, round2(end - (componentsStart[name] ?? 0))]),
    );
    const rssAfter = rss();
    const { lost, unexpected, orderMismatches } = run.accounting();

    const distribution: Record<string, number> = {};
    for (const c of run.clients) distribution[c.instance] = (distribution[c.instance] ?? 0) + 1;
    const ackSeconds = Math.max(0.001, (run.lastAckAt - run.firstSendAt) / 1000);
    const deliverSeconds = Math.max(0.001, (run.lastDeliveryAt - run.firstSendAt) / 1000);
    const serverCpu = cpuEnd.main - cpuStart.main;
    const supportCpu = cpuEnd.support - cpuStart.support;
    const result: LoadResult = {
      label: o.label,
      mode: o.mode,
      url: o.url,
      startedAt,
      config: {
        client: o.client,
        clients: o.clients,
        rooms: o.rooms,
        messagesPerClient: o.messages,
        intervalMs: o.intervalMs,
        warmupPerClient: o.warmup,
        maxSeconds: o.maxSeconds,
        offeredPerSecond: o.intervalMs > 0 ? round1((o.clients * 1000) / o.intervalMs) : null,
      },
      distribution,
      roomsSpanningReplicas: run.roomsSpanningReplicas(),
      sent: [...run.sent.values()].filter((r) => r.measured).length,
      acked: run.acked,
      failed: run.failed,
      errors: run.errors,
      rateLimitedRetries: run.rateLimitedRetries,
      ackedPerSecond: round1(run.acked / ackSeconds),
      deliveredPerSecond: round1(run.delivered / deliverSeconds),
      ackSeconds: round1(ackSeconds),
      deliverSeconds: round1(deliverSeconds),
      ackP50: round1(percentile(run.ackLatency, 50)),
      ackP95: round1(percentile(run.ackLatency, 95)),
      ackP99: round1(percentile(run.ackLatency, 99)),
      ackMax: round1(percentile(run.ackLatency, 100)),
      e2eP50: round1(percentile(run.e2eLatency, 50)),
      e2eP95: round1(percentile(run.e2eLatency, 95)),
      e2eP99: round1(percentile(run.e2eLatency, 99)),
      e2eMax: round1(percentile(run.e2eLatency, 100)),
      expectedDeliveries: run.expectedDeliveries,
      delivered: run.delivered,
      lost,
      unexpected,
      duplicates: run.duplicates,
      outOfOrder: run.sawSeq ? run.outOfOrder : null,
      orderMismatches,
      senderReorders: run.senderReorders,
      disconnects: run.disconnects,
      errorEvents: run.errorEvents,
      timedOut: run.timedOut,
      serverPids: pids,
      rssBeforeMiB: round1(rssBefore / 1024),
      rssConnectedMiB: round1(rssConnected / 1024),
      rssAfterMiB: round1(rssAfter / 1024),
      rssPerConnectionKiB: pids.length ? round1((rssConnected - rssBefore) / o.clients) : null,
      serverCpuSeconds: round1(serverCpu),
      supportCpuSeconds: supportPids.length ? round1(supportCpu) : null,
      cpuMsPer1kDeliveries: run.delivered > 0 ? round1(((serverCpu + supportCpu) * 1e6) / run.delivered) : null,
      cpuSecondsByComponent,
      loadgenLoopDelayP99Ms: round1(loop.percentile(99) / 1e6),
    };
    console.log(formatResult(result));
    const line = JSON.stringify(result);
    console.log(line);
    if (o.out) writeFileSync(o.out, `${line}\n`);
  } finally {
    run.close();
  }
}

const maxSeconds = Number(/--max-seconds[= ](\d+)/.exec(process.argv.join(' '))?.[1] ?? process.env.LOADGEN_MAX_SECONDS ?? 60) || 60;
const watchdog = setTimeout(() => {
  console.error('loadgen: hard time limit exceeded, exiting');
  process.exit(3);
}, (maxSeconds + 15) * 1000);
watchdog.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`loadgen failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && /must be|Unknown option|unexpected argument/i.test(error.message)) console.error(USAGE);
    process.exit(1);
  },
);

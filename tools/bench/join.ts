import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { LoadResult } from '../loadgen/result';
import { median, percentile } from './stats';
import { sourceAddress } from '@app/client';
import { CHATSTREAM_URL, cell, hostInfo, intListOption, intOption, progress, sleep, table } from './bench-env';
import { login, seededRooms, type SeededRoom } from './seed';
import type { JoinCase, JoinResults } from './results';

/**
 * The join scenario: `room:join` with `since` (a reconnecting client's replay) on rooms with deep
 * history, while the load generator sends in other rooms. Joiners on every replica (one /24 each)
 * join, time the answer, leave, and repeat; each case is a room size and how far behind `since`
 * is (the answer is capped at one join page, the rest is paged over REST).
 *
 * By default each joiner joins again as soon as it has left (a closed loop: 12 joins in flight at
 * all times, several hundred a second, each also a presence event to the other joiners in the
 * room): a stress of joins. With `--rate N`, joins start at N per second whatever the answers do
 * (an open loop, as users arrive), each on a joiner that is free, and each is timed from when it
 * was due, so a join that waited for a free joiner counts its wait.
 *
 * Every case is measured `--rounds` times (default 3), the cases in turn each round, and the table
 * gives each figure's median over the rounds with every round's p99 beside it: on this shared box
 * one round's p99 moved by 2-4x between runs minutes apart (docs/benchmarks.md).
 *
 * The cases are measured after `--warmup-seconds` (default 30) of the same load, unmeasured: the
 * traffic flows and the joiners join every case's room at the same pace. Without it the first
 * case measured the topology's first minute (V8 and the JVM still compiling, a restarted
 * gateway's first join of each room reading the store), not a system under steady load. What the
 * warm-up's joins took is reported too (`warmup`), so the cold figure stays visible.
 */
const JOINERS = 12;
const BEHIND = [10, 1_000];
/** How long the background load generator gets to connect and join its rooms before any join. */
const TRAFFIC_START_SECONDS = 8;
/** Warm-up joins per second when the cases run back to back (a pace users could produce). */
const BACK_TO_BACK_WARMUP_RATE = 20;

function parseJoinOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'out-dir': { type: 'string' },
      sizes: { type: 'string', default: '1000,100000' },
      joins: { type: 'string', default: '300' },
      traffic: { type: 'string', default: '500' },
      rate: { type: 'string', default: '0' },
      'warmup-seconds': { type: 'string', default: '30' },
      rounds: { type: 'string', default: '3' },
    },
    strict: true,
  });
  if (!values['out-dir']) throw new Error('--out-dir is required');
  return {
    outDir: values['out-dir'],
    sizes: intListOption('sizes', values.sizes, 1, 1_000_000).sort((a, b) => a - b),
    joins: intOption('joins', values.joins, 1, 100_000),
    traffic: intOption('traffic', values.traffic, 0, 10_000),
    rate: intOption('rate', values.rate, 0, 1_000),
    warmupSeconds: intOption('warmup-seconds', values['warmup-seconds'], 0, 600),
    rounds: intOption('rounds', values.rounds, 1, 20),
  };
}

type Answer = { ok?: boolean; error?: { code?: string }; messages?: unknown[] };
const call = (socket: Socket, event: string, payload: unknown): Promise<Answer> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: { code: 'timeout' } }), 10_000);
    socket.emit(event, payload, (a: Answer) => {
      clearTimeout(timer);
      resolve(a);
    });
  });

async function connectJoiners(): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < JOINERS; i++) {
    const { token } = await login(CHATSTREAM_URL, `bench-joiner-${i}`);
    // Addresses far from the load generator's (it uses the first few hundred /24s).
    const socket = io(CHATSTREAM_URL, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, localAddress: sourceAddress(200 + i) } as Parameters<typeof io>[1] & { localAddress: string });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`joiner ${i}: no session within 10 s`)), 10_000);
      socket.once('session', () => (clearTimeout(timer), resolve()));
      socket.once('connect_error', (e: Error) => (clearTimeout(timer), reject(e)));
    });
    sockets.push(socket);
  }
  return sockets;
}

/** `joins` joins of the room, spread over the joiners, each timed from emit (or, paced, from when it was due) to answer. */
async function runCase(sockets: Socket[], room: SeededRoom, behind: number, joins: number, rate: number): Promise<JoinCase> {
  const times: number[] = [];
  const errors: Record<string, number> = {};
  const deadline = Date.now() + 120_000;
  const since = Math.max(0, room.lastSeq - behind);
  /** One join and its leave on `socket`, timed from `from`. */
  const joinOnce = async (socket: Socket, from: number): Promise<void> => {
    const answer = await call(socket, 'room:join', { roomId: room.roomId, since });
    const ms = performance.now() - from;
    if (answer.ok) times.push(ms);
    else errors[answer.error?.code ?? 'malformed'] = (errors[answer.error?.code ?? 'malformed'] ?? 0) + 1;
    await call(socket, 'room:leave', { roomId: room.roomId });
  };
  if (rate === 0) {
    let next = 0;
    await Promise.all(
      sockets.map(async (socket) => {
        while (next < joins && Date.now() < deadline) {
          next++;
          await joinOnce(socket, performance.now());
        }
      }),
    );
  } else {
    const free = [...sockets];
    const waiting: Array<(socket: Socket) => void> = [];
    const take = (): Promise<Socket> => {
      const socket = free.pop();
      return socket ? Promise.resolve(socket) : new Promise((resolve) => waiting.push(resolve));
    };
    const release = (socket: Socket): void => {
      const next = waiting.shift();
      if (next) next(socket);
      else free.push(socket);
    };
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let k = 0; k < joins && Date.now() < deadline; k++) {
      const due = started + (k * 1000) / rate;
      await sleep(Math.max(0, due - performance.now()));
      inFlight.push(take().then(async (socket) => {
        await joinOnce(socket, due);
        release(socket);
      }));
    }
    await Promise.all(inFlight);
  }
  const r = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);
  return { roomSize: room.size, behind, joins: times.length, p50: r(percentile(times, 50)), p95: r(percentile(times, 95)), p99: r(percentile(times, 99)), max: r(percentile(times, 100)), errors };
}

/**
 * The background traffic: a load generator run long enough to cover every case. Its own
 * unmeasured warm-up spans the joins' warm-up, so its figures (ack p99) cover the measured joins.
 */
function startTraffic(perSecond: number, warmupSeconds: number, seconds: number, out: string): { done: Promise<LoadResult | null> } {
  const clients = 150;
  const interval = Math.round((clients * 1000) / perSecond);
  const perClient = (s: number): number => Math.max(1, Math.ceil((s * 1000) / interval));
  const args = [join(__dirname, '../loadgen/loadgen.js'), '--mode', 'chatstream', '--url', CHATSTREAM_URL, '--label', `join traffic ${perSecond}/s`,
    '--clients', String(clients), '--rooms', '15', '--interval', String(interval), '--messages', String(perClient(seconds)),
    '--warmup', String(perClient(warmupSeconds)), '--max-seconds', String(warmupSeconds + seconds + 60), '--out', out];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    done: new Promise((resolve) => child.on('exit', (code) => resolve(code === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as LoadResult) : null))),
  };
}

async function main(): Promise<void> {
  const o = parseJoinOptions(process.argv.slice(2));
  const started = Date.now();
  mkdirSync(o.outDir, { recursive: true });
  const { rooms } = await seededRooms(CHATSTREAM_URL, o.sizes);
  const sockets = await connectJoiners();
  // Every case: each room size with each distance of `since`, in this order.
  const eachCase = async (run: (room: SeededRoom, behind: number) => Promise<JoinCase>): Promise<JoinCase[]> => {
    const out: JoinCase[] = [];
    for (const size of o.sizes) for (const behind of BEHIND) out.push(await run(rooms.get(size)!, behind));
    return out;
  };
  const rounds: JoinCase[][] = [];
  // Traffic for as long as the cases take, at most (roughly) 20 s per case and round.
  const trafficSeconds = Math.min(1_200, 20 * o.sizes.length * BEHIND.length * o.rounds);
  const traffic = o.traffic > 0 ? startTraffic(o.traffic, o.warmupSeconds, trafficSeconds, join(o.outDir, 'traffic.json')) : null;
  let warmup: JoinCase[] = [];
  try {
    const waited = traffic ? TRAFFIC_START_SECONDS : 0;
    if (traffic) await sleep(waited * 1000);
    if (o.warmupSeconds > 0) {
      // At the cases' pace (back to back: as many joins as BACK_TO_BACK_WARMUP_RATE would start), every case's room in turn.
      const kinds = o.sizes.length * BEHIND.length;
      const perCase = Math.max(JOINERS, Math.ceil((Math.max(0, o.warmupSeconds - waited) * (o.rate > 0 ? o.rate : BACK_TO_BACK_WARMUP_RATE)) / kinds));
      progress('join', `warm-up: ${perCase} unmeasured joins of each case's room${traffic ? ` with ${o.traffic} sends/s in other rooms` : ''}`);
      warmup = await eachCase((room, behind) => runCase(sockets, room, behind, perCase, o.rate));
      progress('join', `  warm-up joins: p99 ${warmup.map((c) => cell(c.p99)).join(' / ')} ms, max ${warmup.map((c) => cell(c.max)).join(' / ')} ms`);
    }
    for (let round = 1; round <= o.rounds; round++) {
      rounds.push(await eachCase(async (room, behind) => {
        const pace = o.rate > 0 ? `${o.rate} joins/s` : 'joins back to back';
        progress('join', `round ${round}/${o.rounds}, room of ${room.size} messages, since = last - ${behind}: ${o.joins} joins (${pace}) with ${o.traffic} sends/s in other rooms`);
        const c = await runCase(sockets, room, behind, o.joins, o.rate);
        progress('join', `  → p50 ${cell(c.p50)} ms, p99 ${cell(c.p99)} ms, errors ${JSON.stringify(c.errors)}`);
        return c;
      }));
    }
  } finally {
    for (const s of sockets) s.close();
  }
  const t = traffic ? await traffic.done : null;
  const results: JoinResults = {
    scenario: 'join',
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    command: `npm run bench -- join --sizes ${o.sizes.join(',')} --joins ${o.joins} --traffic ${o.traffic} --rate ${o.rate} --warmup-seconds ${o.warmupSeconds} --rounds ${o.rounds}`,
    seconds: Math.round((Date.now() - started) / 1000),
    config: { roomSizes: o.sizes, joinsPerCase: o.joins, trafficPerSecond: o.traffic, joinsPerSecond: o.rate, warmupSeconds: o.warmupSeconds, rounds: o.rounds },
    traffic: { ackedPerSecond: t?.ackedPerSecond ?? null, ackP99: t?.ackP99 ?? null, failed: t?.failed ?? 0 },
    cases: medianCases(rounds),
    rounds,
    warmup,
  };
  writeFileSync(join(o.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(joinSummary(results));
}

/** Each case's median over the rounds (the rounds list the cases in the same order); joins and errors summed. */
export function medianCases(rounds: readonly JoinCase[][]): JoinCase[] {
  return (rounds[0] ?? []).map((first, i) => {
    const all = rounds.map((round) => round[i]!);
    const errors: Record<string, number> = {};
    for (const c of all) for (const [code, n] of Object.entries(c.errors)) errors[code] = (errors[code] ?? 0) + n;
    const of = (key: 'p50' | 'p95' | 'p99' | 'max') => median(all.map((c) => c[key]));
    return { roomSize: first.roomSize, behind: first.behind, joins: all.reduce((n, c) => n + c.joins, 0), p50: of('p50'), p95: of('p95'), p99: of('p99'), max: of('max'), errors };
  });
}

export function joinSummary(results: JoinResults): string {
  const rounds = results.rounds ?? [results.cases];
  const p99s = (i: number) => rounds.map((round) => cell(round[i]?.p99 ?? null)).join(' / ');
  return [
    `join: room:join with since on seeded rooms (${results.config.joinsPerSecond ? `${results.config.joinsPerSecond} joins/s` : 'joins back to back'}) while ${results.config.trafficPerSecond} sends/s flow elsewhere ` +
      `(achieved ${cell(results.traffic.ackedPerSecond)} acked/s, ack p99 ${cell(results.traffic.ackP99)} ms), measured after ${results.config.warmupSeconds ?? 0} s of the same load unmeasured (warm-up rows); ` +
      `medians of ${rounds.length} round(s), latencies in ms`,
    table(
      ['room size', 'since', 'joins', 'p50', 'p95', 'p99', 'max', 'errors', 'p99 per round'],
      [...results.cases.map((c, i) => ['', c, p99s(i)] as const), ...(results.warmup ?? []).map((c) => ['warm-up: ', c, ''] as const)].map(([kind, c, perRound]) => [
        `${kind}${c.roomSize.toLocaleString('en-US')}`,
        `last - ${c.behind}`,
        String(c.joins),
        cell(c.p50),
        cell(c.p95),
        cell(c.p99),
        cell(c.max),
        JSON.stringify(c.errors),
        perRound,
      ]),
    ),
  ].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`join failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}

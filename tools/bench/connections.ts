import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { sourceAddress } from '@app/client';
import { dataDir } from '../loadgen/options';
import { pidsFromFiles, rssKiB, withDescendants } from '../loadgen/stats';
import { percentile, sum } from './stats';
import { cell, hostInfo, intOption, progress, sleep, socketServerPidFiles, systemsOption, table, urlOf } from './bench-env';
import { login } from './seed';
import type { ConnectionStep, ConnectionsResults, System } from './results';

/**
 * The connections scenario: idle Socket.IO connections through Nginx, ramped in steps until a
 * target or the first failures, each from its own /24 of 127.0.0.0/8 (Nginx's ip_hash spreads
 * them over the replicas, and one machine can open far more than 64k connections). After each
 * step: connections held, socket-server RSS per connection, Nginx RSS, the servers' event-loop
 * lag (their /metrics), and connect times. Then the same for the baseline.
 */
const BATCH = 250;
const USERS = 50;

function parseConnectionOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'out-dir': { type: 'string' },
      target: { type: 'string', default: '20000' },
      step: { type: 'string', default: '2000' },
      systems: { type: 'string', default: 'chatstream,baseline' },
      'max-seconds': { type: 'string', default: '130' },
    },
    strict: true,
  });
  if (!values['out-dir']) throw new Error('--out-dir is required');
  return {
    outDir: values['out-dir'],
    target: intOption('target', values.target, 1, 60_000),
    step: intOption('step', values.step, 1, 60_000),
    systems: systemsOption(values.systems),
    maxSeconds: intOption('max-seconds', values['max-seconds'], 1, 600),
  };
}

/** The HTTP port of each socket server (gateway-N: 3100+N; baseline-N: 3110+N). */
function metricsPorts(system: System): number[] {
  return socketServerPidFiles(system).map((f) => {
    const n = Number(/-(\d+)\.pid$/.exec(f)![1]);
    return system === 'chatstream' ? 3100 + n : 3110 + n;
  });
}

/** The highest event-loop lag p99 among the servers since their previous scrape (prom-client resets it). */
async function eventLoopLagMs(system: System): Promise<number | null> {
  const lags = await Promise.all(
    metricsPorts(system).map(async (port) => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
        const m = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})?\s+([0-9.e+-]+)/m.exec(text);
        return m ? Number(m[1]) * 1000 : null;
      } catch {
        return null;
      }
    }),
  );
  const xs = lags.filter((x): x is number => x !== null);
  return xs.length ? Math.round(Math.max(...xs) * 10) / 10 : null;
}

async function healthy(system: System): Promise<boolean> {
  const url = system === 'chatstream' ? `${urlOf(system)}/health` : `http://127.0.0.1:${metricsPorts(system)[0]}/health`;
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200;
  } catch {
    return false;
  }
}

/** Opens one connection; resolves with the ms until it is usable (`session`, or `connect` for the baseline). */
function connectOne(system: System, auth: Record<string, string>, index: number, sockets: Socket[]): Promise<number> {
  const started = performance.now();
  const socket = io(urlOf(system), {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
    // Offset past the load generator's addresses, so a concurrent run cannot collide.
    localAddress: sourceAddress(1 + index),
  } as Parameters<typeof io>[1] & { localAddress: string });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no session within 20 s')), 20_000);
    socket.once('session', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
    socket.once('connect_error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function ramp(system: System, o: ReturnType<typeof parseConnectionOptions>): Promise<{ steps: ConnectionStep[]; held: number; stoppedBecause: string; healthyAtEnd: boolean }> {
  const pids = pidsFromFiles(socketServerPidFiles(system));
  const nginxPids = withDescendants(pidsFromFiles([system === 'chatstream' ? `${dataDir()}/run/nginx.pid` : `${dataDir()}/bench/run/baseline-nginx.pid`]));
  const serverRss = (): number => sum(pids.map(rssKiB));
  const auths: Record<string, string>[] = [];
  for (let u = 0; u < USERS; u++) {
    const username = `bench-conn-${u}`;
    auths.push(system === 'chatstream' ? { token: (await login(urlOf(system), username)).token } : { username });
  }
  const sockets: Socket[] = [];
  const steps: ConnectionStep[] = [];
  const rssBefore = serverRss();
  const deadline = Date.now() + o.maxSeconds * 1000;
  let stoppedBecause = `reached the target of ${o.target}`;
  await eventLoopLagMs(system); // resets the servers' lag histograms
  try {
    while (sockets.length < o.target) {
      if (Date.now() > deadline) {
        stoppedBecause = `time bound of ${o.maxSeconds} s`;
        break;
      }
      const stepEnd = Math.min(o.target, sockets.length + o.step);
      const times: number[] = [];
      let errors = 0;
      let firstError = '';
      for (let i = sockets.length; i < stepEnd; i += BATCH) {
        const n = Math.min(BATCH, stepEnd - i);
        const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, k) => connectOne(system, auths[(i + k) % USERS]!, i + k, sockets)));
        for (const out of outcomes) {
          if (out.status === 'fulfilled') times.push(out.value);
          else {
            errors++;
            firstError ||= out.reason instanceof Error ? out.reason.message : String(out.reason);
          }
        }
      }
      await sleep(1_500); // let the servers settle (GC, presence writes) before sampling
      const held = sockets.filter((s) => s.connected).length;
      const rss = serverRss();
      const step: ConnectionStep = {
        system,
        connections: held,
        serverRssMiB: Math.round(rss / 102.4) / 10,
        rssPerConnectionKiB: held > 0 ? Math.round(((rss - rssBefore) / held) * 10) / 10 : null,
        nginxRssMiB: Math.round(sum(nginxPids.map(rssKiB)) / 102.4) / 10,
        eventLoopLagMs: await eventLoopLagMs(system),
        connectP50: percentile(times, 50),
        connectP99: percentile(times, 99),
        errors,
      };
      steps.push(step);
      progress(
        'connections',
        `${system}: ${held} held, ${cell(step.rssPerConnectionKiB)} KiB/connection, server RSS ${cell(step.serverRssMiB)} MiB, ` +
          `nginx ${cell(step.nginxRssMiB)} MiB, loop lag p99 ${cell(step.eventLoopLagMs)} ms, connect p99 ${cell(step.connectP99)} ms, errors ${errors}`,
      );
      if (errors > 0) {
        stoppedBecause = `${errors} connection(s) failed at ${stepEnd} (first: ${firstError})`;
        break;
      }
    }
    const healthyAtEnd = await healthy(system);
    return { steps, held: sockets.filter((s) => s.connected).length, stoppedBecause, healthyAtEnd };
  } finally {
    for (const s of sockets) s.close();
    await sleep(3_000); // the servers release the sockets before the next system is measured
  }
}

async function main(): Promise<void> {
  const o = parseConnectionOptions(process.argv.slice(2));
  const started = Date.now();
  mkdirSync(o.outDir, { recursive: true });
  const steps: ConnectionStep[] = [];
  const outcome = {} as ConnectionsResults['outcome'];
  outcome.chatstream = { held: 0, stoppedBecause: 'not run', healthyAtEnd: null };
  outcome.baseline = { held: 0, stoppedBecause: 'not run', healthyAtEnd: null };
  for (const system of o.systems) {
    progress('connections', `${system}: ramping to ${o.target} idle connections in steps of ${o.step}`);
    const r = await ramp(system, o);
    steps.push(...r.steps);
    outcome[system] = { held: r.held, stoppedBecause: r.stoppedBecause, healthyAtEnd: r.healthyAtEnd };
  }
  const results: ConnectionsResults = {
    scenario: 'connections',
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    command: `npm run bench -- connections --target ${o.target} --step ${o.step}`,
    seconds: Math.round((Date.now() - started) / 1000),
    config: { target: o.target, step: o.step },
    steps,
    outcome,
  };
  writeFileSync(join(o.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(connectionsSummary(results));
}

export function connectionsSummary(results: ConnectionsResults): string {
  const rows = results.steps.map((s) => [
    s.system,
    String(s.connections),
    cell(s.serverRssMiB),
    cell(s.rssPerConnectionKiB),
    cell(s.nginxRssMiB),
    cell(s.eventLoopLagMs),
    `${cell(s.connectP50, 0)} / ${cell(s.connectP99, 0)}`,
    String(s.errors),
  ]);
  const outcomes = (['chatstream', 'baseline'] as const).map((s) => {
    const x = results.outcome[s];
    return `${s}: held ${x.held}; stopped: ${x.stoppedBecause}; healthy at the end: ${x.healthyAtEnd ?? '-'}`;
  });
  return [
    `connections: idle Socket.IO connections through Nginx, steps of ${results.config.step} up to ${results.config.target}`,
    table(['system', 'held', 'server RSS MiB', 'KiB/conn', 'nginx MiB', 'loop lag p99 ms', 'connect p50/p99 ms', 'errors'], rows),
    '',
    ...outcomes,
  ].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`connections failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}

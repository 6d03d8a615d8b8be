import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fork, type ChildProcess } from 'node:child_process';
import { dataDir } from '../loadgen/options';
import { pidsFromFiles, rssKiB, withDescendants } from '../loadgen/stats';
import { percentile, sum } from './stats';
import { cell, hostInfo, intOption, progress, sleep, socketServerPidFiles, systemsOption, table, urlOf } from './bench-env';
import { login } from './seed';
import type { HolderAnswer, HolderRequest } from './connection-holder';
import type { ConnectionStep, ConnectionsResults, SettledMemory, System } from './results';

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
      'settle-seconds': { type: 'string', default: '45' },
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
    settleSeconds: intOption('settle-seconds', values['settle-seconds'], 0, 300),
  };
}

/** The HTTP port of each socket server (gateway-N: 3100+N; baseline-N: 3110+N). */
function metricsPorts(system: System): number[] {
  return socketServerPidFiles(system).map((f) => {
    const n = Number(/-(\d+)\.pid$/.exec(f)![1]);
    return system === 'chatstream' ? 3100 + n : 3110 + n;
  });
}

/**
 * The servers' /metrics texts (null where a server did not answer). One scrape per step: prom-client
 * resets the event-loop lag histogram on every scrape.
 */
async function scrapeServers(system: System): Promise<(string | null)[]> {
  return Promise.all(
    metricsPorts(system).map(async (port) => {
      try {
        return await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
      } catch {
        return null;
      }
    }),
  );
}

/** One gauge of every scraped server (null where missing). */
function gauges(texts: (string | null)[], name: string): (number | null)[] {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.e+-]+)`, 'm');
  return texts.map((text) => {
    const m = text === null ? null : pattern.exec(text);
    return m ? Number(m[1]) : null;
  });
}

/** The highest event-loop lag p99 among the servers since their previous scrape. */
function eventLoopLagMs(texts: (string | null)[]): number | null {
  const xs = gauges(texts, 'nodejs_eventloop_lag_p99_seconds').filter((x): x is number => x !== null);
  return xs.length ? Math.round(Math.max(...xs) * 10_000) / 10 : null;
}

/** The servers' V8 heap in use, summed, in KiB; null unless every server answered. */
function heapUsedKiB(texts: (string | null)[]): number | null {
  const xs = gauges(texts, 'nodejs_heap_size_used_bytes');
  return xs.every((x): x is number => x !== null) ? sum(xs) / 1024 : null;
}

async function healthy(system: System): Promise<boolean> {
  const url = system === 'chatstream' ? `${urlOf(system)}/health` : `http://127.0.0.1:${metricsPorts(system)[0]}/health`;
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200;
  } catch {
    return false;
  }
}

/** Connections one holder process keeps (under the 20,000 descriptors a process may open here). */
const PER_HOLDER = 8_000;

/** The child processes that open and hold the connections (connection-holder.ts), one request at a time each. */
class Holders {
  private readonly children: ChildProcess[];

  constructor(count: number) {
    this.children = Array.from({ length: count }, () => fork(join(__dirname, 'connection-holder.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  /** Opens the connections of `indices` in the holder `n` (mod the count). */
  open(n: number, url: string, auths: Record<string, string>[], indices: number[]): Promise<Extract<HolderAnswer, { kind: 'opened' }>> {
    return this.ask(this.children[n % this.children.length]!, { kind: 'open', url, auths, indices }) as Promise<Extract<HolderAnswer, { kind: 'opened' }>>;
  }

  async connected(): Promise<number> {
    const counts = await Promise.all(this.children.map((c) => this.ask(c, { kind: 'count' })));
    return sum(counts.map((a) => (a.kind === 'count' ? a.connected : 0)));
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => this.ask(c, { kind: 'close' }).catch(() => undefined)));
    for (const c of this.children) if (c.exitCode === null) c.kill();
  }

  private ask(child: ChildProcess, request: HolderRequest): Promise<HolderAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`holder ${child.pid} did not answer ${request.kind} within 60 s`)), 60_000);
      child.once('message', (answer: HolderAnswer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      child.send(request);
    });
  }
}

/** After the ramp: the connections left idle for `seconds`, then memory per connection held. */
async function settledMemory(system: System, seconds: number, holders: Holders, before: { rss: number; heap: number | null }): Promise<SettledMemory | null> {
  if (seconds === 0) return null;
  progress('connections', `${system}: holding the connections idle for ${seconds} s before the settled memory sample`);
  await sleep(seconds * 1000);
  const connections = await holders.connected();
  if (connections === 0) return null;
  const rss = sum(pidsFromFiles(socketServerPidFiles(system)).map(rssKiB));
  const heap = heapUsedKiB(await scrapeServers(system));
  const settled: SettledMemory = {
    afterSeconds: seconds,
    connections,
    rssPerConnectionKiB: Math.round(((rss - before.rss) / connections) * 10) / 10,
    heapPerConnectionKiB: heap !== null && before.heap !== null ? Math.round(((heap - before.heap) / connections) * 10) / 10 : null,
  };
  progress('connections', `${system}: settled: ${connections} held, ${cell(settled.rssPerConnectionKiB)} KiB/connection (JS heap ${cell(settled.heapPerConnectionKiB)})`);
  return settled;
}

async function ramp(system: System, o: ReturnType<typeof parseConnectionOptions>): Promise<Omit<ConnectionsResults['outcome'][System], 'healthyAtEnd'> & { steps: ConnectionStep[]; healthyAtEnd: boolean }> {
  const pids = pidsFromFiles(socketServerPidFiles(system));
  const nginxPids = withDescendants(pidsFromFiles([system === 'chatstream' ? `${dataDir()}/run/nginx.pid` : `${dataDir()}/bench/run/baseline-nginx.pid`]));
  const serverRss = (): number => sum(pids.map(rssKiB));
  const auths: Record<string, string>[] = [];
  for (let u = 0; u < USERS; u++) {
    const username = `bench-conn-${u}`;
    auths.push(system === 'chatstream' ? { token: (await login(urlOf(system), username)).token } : { username });
  }
  const holders = new Holders(Math.ceil(o.target / PER_HOLDER));
  let opened = 0;
  const steps: ConnectionStep[] = [];
  const rssBefore = serverRss();
  const heapBefore = heapUsedKiB(await scrapeServers(system)); // also resets the servers' lag histograms
  const deadline = Date.now() + o.maxSeconds * 1000;
  let stoppedBecause = `reached the target of ${o.target}`;
  try {
    while (opened < o.target) {
      if (Date.now() > deadline) {
        stoppedBecause = `time bound of ${o.maxSeconds} s`;
        break;
      }
      const stepEnd = Math.min(o.target, opened + o.step);
      const times: number[] = [];
      let errors = 0;
      let firstError = '';
      for (let i = opened; i < stepEnd; i += BATCH) {
        const indices = Array.from({ length: Math.min(BATCH, stepEnd - i) }, (_, k) => i + k);
        // Batch by batch, spread over the holders: each ends with its share of the connections.
        const batch = await holders.open(Math.floor(i / BATCH), urlOf(system), auths, indices);
        times.push(...batch.times);
        errors += batch.errors;
        firstError ||= batch.firstError;
      }
      opened = stepEnd;
      await sleep(1_500); // let the servers settle (GC, presence writes) before sampling
      const held = await holders.connected();
      const rss = serverRss();
      const metrics = await scrapeServers(system);
      const heap = heapUsedKiB(metrics);
      const step: ConnectionStep = {
        system,
        connections: held,
        serverRssMiB: Math.round(rss / 102.4) / 10,
        rssPerConnectionKiB: held > 0 ? Math.round(((rss - rssBefore) / held) * 10) / 10 : null,
        heapPerConnectionKiB: held > 0 && heap !== null && heapBefore !== null ? Math.round(((heap - heapBefore) / held) * 10) / 10 : null,
        serverHeapMiB: heap === null ? null : Math.round(heap / 102.4) / 10,
        nginxRssMiB: Math.round(sum(nginxPids.map(rssKiB)) / 102.4) / 10,
        eventLoopLagMs: eventLoopLagMs(metrics),
        connectP50: percentile(times, 50),
        connectP99: percentile(times, 99),
        errors,
      };
      steps.push(step);
      progress(
        'connections',
        `${system}: ${held} held, ${cell(step.rssPerConnectionKiB)} KiB/connection (JS heap ${cell(step.heapPerConnectionKiB)}), server RSS ${cell(step.serverRssMiB)} MiB, ` +
          `nginx ${cell(step.nginxRssMiB)} MiB, loop lag p99 ${cell(step.eventLoopLagMs)} ms, connect p99 ${cell(step.connectP99)} ms, errors ${errors}`,
      );
      if (errors > 0) {
        stoppedBecause = `${errors} connection(s) failed at ${stepEnd} (first: ${firstError})`;
        break;
      }
    }
    const healthyAtEnd = await healthy(system);
    const settled = await settledMemory(system, o.settleSeconds, holders, { rss: rssBefore, heap: heapBefore });
    return { steps, held: await holders.connected(), stoppedBecause, healthyAtEnd, settled };
  } finally {
    await holders.close();
    await sleep(3_000); // the servers release the sockets before the next system is measured
  }
}

async function main(): Promise<void> {
  const o = parseConnectionOptions(process.argv.slice(2));
  const started = Date.now();
  mkdirSync(o.outDir, { recursive: true });
  const steps: ConnectionStep[] = [];
  const outcome = {} as ConnectionsResults['outcome'];
  outcome.chatstream = { held: 0, stoppedBecause: 'not run', healthyAtEnd: null, settled: null };
  outcome.baseline = { held: 0, stoppedBecause: 'not run', healthyAtEnd: null, settled: null };
  for (const system of o.systems) {
    progress('connections', `${system}: ramping to ${o.target} idle connections in steps of ${o.step}`);
    const r = await ramp(system, o);
    steps.push(...r.steps);
    outcome[system] = { held: r.held, stoppedBecause: r.stoppedBecause, healthyAtEnd: r.healthyAtEnd, settled: r.settled };
  }
  const results: ConnectionsResults = {
    scenario: 'connections',
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    command: `npm run bench -- connections --target ${o.target} --step ${o.step} --settle-seconds ${o.settleSeconds}`,
    seconds: Math.round((Date.now() - started) / 1000),
    config: { target: o.target, step: o.step },
    steps,
    outcome,
  };
  writeFileSync(join(o.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(connectionsSummary(results));
}

/**
 * Memory each further connection costs: the growth of the servers' RSS (or JS heap) from the first
 * step to the last, divided by the connections added in between. The per-step figures divide by
 * every connection the growth since before the first one, which also holds what the first burst
 * of connects costs once (V8 growing its young generation, Socket.IO's and the app's first
 * allocations); this slope leaves that out. Null with fewer than two steps.
 */
export function memoryPerAddedConnectionKiB(steps: ConnectionStep[], field: 'serverRssMiB' | 'serverHeapMiB'): number | null {
  const first = steps[0];
  const last = steps.at(-1);
  if (!first || !last || last.connections <= first.connections) return null;
  const [from, to] = [first[field], last[field]];
  if (from === null || to === null) return null;
  return Math.round((((to - from) * 1024) / (last.connections - first.connections)) * 10) / 10;
}

export function connectionsSummary(results: ConnectionsResults): string {
  const rows = results.steps.map((s) => [
    s.system,
    String(s.connections),
    cell(s.serverRssMiB),
    cell(s.rssPerConnectionKiB),
    cell(s.heapPerConnectionKiB),
    cell(s.nginxRssMiB),
    cell(s.eventLoopLagMs),
    `${cell(s.connectP50, 0)} / ${cell(s.connectP99, 0)}`,
    String(s.errors),
  ]);
  const outcomes = (['chatstream', 'baseline'] as const).map((s) => {
    const x = results.outcome[s];
    const steps = results.steps.filter((step) => step.system === s);
    const [rss, heap] = [memoryPerAddedConnectionKiB(steps, 'serverRssMiB'), memoryPerAddedConnectionKiB(steps, 'serverHeapMiB')];
    return (
      `${s}: held ${x.held}; stopped: ${x.stoppedBecause}; healthy at the end: ${x.healthyAtEnd ?? '-'}; ` +
      `per connection added after the first step: RSS ${cell(rss)} KiB, JS heap ${cell(heap)} KiB` +
      (x.settled
        ? `; after ${x.settled.afterSeconds} s idle, per connection held: RSS ${cell(x.settled.rssPerConnectionKiB)} KiB, JS heap ${cell(x.settled.heapPerConnectionKiB)} KiB`
        : '')
    );
  });
  return [
    `connections: idle Socket.IO connections through Nginx, steps of ${results.config.step} up to ${results.config.target}`,
    table(['system', 'held', 'server RSS MiB', 'KiB/conn', 'JS heap KiB/conn', 'nginx MiB', 'loop lag p99 ms', 'connect p50/p99 ms', 'errors'], rows),
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

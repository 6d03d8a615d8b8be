import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { CHATSTREAM_URL, cell, hostInfo, intListOption, intOption, progress, table } from './bench-env';
import { historyGrowth } from './aggregate';
import { median } from './stats';
import { login, seededRooms, type SeededRoom } from './seed';
import type { HistoryCase, HistoryPageKind, HistoryResults } from './results';

/**
 * The history scenario: the REST history endpoint through Nginx, driven by autocannon, on rooms
 * of several sizes (seeded by ./seed), for three pages (the latest, a `before` page deep in the
 * room, an `after` page from the middle) at several connection counts. The question it answers:
 * does a page cost more on a bigger room? (It must not: DESIGN.md "Performance model".)
 */
const SLOW_P50_MS = 1_000;

function parseHistoryOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'out-dir': { type: 'string' },
      sizes: { type: 'string', default: '1000,100000' },
      connections: { type: 'string', default: '1,10,50' },
      seconds: { type: 'string', default: '5' },
      limit: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
    },
    strict: true,
  });
  if (!values['out-dir']) throw new Error('--out-dir is required');
  return {
    outDir: values['out-dir'],
    sizes: intListOption('sizes', values.sizes, 1, 1_000_000).sort((a, b) => a - b),
    connections: intListOption('connections', values.connections, 1, 1_000).sort((a, b) => a - b),
    seconds: intOption('seconds', values.seconds, 1, 120),
    limit: intOption('limit', values.limit, 1, 100),
    rounds: intOption('rounds', values.rounds, 1, 10),
  };
}

/**
 * The requests of a case: the newest page (always the same request, as when many users open a
 * room), or `before` pages deep in the room (cursors in its oldest fifth) and `after` pages from
 * its middle, each request with the next cursor and limit, so that requests read different pages (the api
 * keeps final pages in memory; the same page again would measure that cache, not the store).
 */
function pagePaths(room: SeededRoom, page: HistoryPageKind, limit: number): { first: string; next: () => string; distinct: number } {
  const base = `/api/rooms/${room.roomId}/messages?limit=${limit}`;
  if (page === 'latest') return { first: base, next: () => base, distinct: 1 };
  const span = room.lastSeq - room.firstSeq;
  const [from, count] = page === 'before' ? [room.firstSeq + limit, Math.floor(span * 0.2)] : [room.firstSeq + Math.floor(span * 0.5), Math.floor(span * 0.4)];
  // Limits around the asked one as well (limit-10 … limit+10, 50 on average for 50), so that even
  // the smallest room offers thousands of different pages before one comes again.
  const spread = Math.min(10, limit - 1);
  const limits = 2 * spread + 1;
  let i = 0;
  const at = (k: number): string =>
    `/api/rooms/${room.roomId}/messages?limit=${limit - spread + (k % limits)}&${page}=${from + (Math.floor(k / limits) % Math.max(1, count))}`;
  return { first: at(0), next: () => at(i++), distinct: limits * Math.max(1, count) };
}

function runCase(paths: ReturnType<typeof pagePaths>, connections: number, seconds: number, token: string, label: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${CHATSTREAM_URL}${paths.first}`,
        requests: [{ setupRequest: (request) => ({ ...request, path: paths.next() }) }],
        connections,
        duration: seconds,
        timeout: 10,
        headers: { authorization: `Bearer ${token}` },
      },
      (error: unknown, result) => (error ? reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`)) : resolve(result)),
    );
    let ticks = 0;
    let requests = 0;
    instance.on('response', () => void requests++);
    instance.on('tick', () => {
      if (++ticks % 3 === 0) progress('history', `  ${label}: ${ticks}/${seconds} s, ${Math.round(requests / ticks)} req/s`);
    });
  });
}

/** One request alone, timed (ms), or null if it did not answer with 200 within 60 s. */
async function timeOne(path: string, token: string): Promise<number | null> {
  const started = performance.now();
  try {
    const response = await fetch(`${CHATSTREAM_URL}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
    await response.arrayBuffer();
    return response.status === 200 ? Math.round(performance.now() - started) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const o = parseHistoryOptions(process.argv.slice(2));
  const started = Date.now();
  mkdirSync(o.outDir, { recursive: true });
  const { rooms, seconds: seedSeconds } = await seededRooms(CHATSTREAM_URL, o.sizes);
  const { token } = await login(CHATSTREAM_URL, 'bench-history-reader');
  // Every case is measured once per round, the cases in turn, and reported as its median over the
  // rounds: one 5 s p99 on this shared box moves by tens of ms from one minute to the next.
  const rounds: HistoryCase[][] = [];
  for (let round = 1; round <= o.rounds; round++) {
    progress('history', `round ${round} of ${o.rounds}`);
    rounds.push(await runRound(o, rooms, token));
  }
  const cases = medianHistoryCases(rounds);
  const results: HistoryResults = {
    scenario: 'history',
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    command: `npm run bench -- history --sizes ${o.sizes.join(',')} --connections ${o.connections.join(',')} --seconds ${o.seconds} --limit ${o.limit} --rounds ${o.rounds}`,
    seconds: Math.round((Date.now() - started) / 1000),
    config: { roomSizes: o.sizes, connections: o.connections, secondsPerCase: o.seconds, limit: o.limit, rounds: o.rounds },
    seedSeconds,
    cases,
    rounds,
    growth: historyGrowth(cases),
  };
  writeFileSync(join(o.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(historySummary(results));
}

/** One round: every (room size, page, connections) case once, in the same order every round. */
async function runRound(o: ReturnType<typeof parseHistoryOptions>, rooms: Map<number, SeededRoom>, token: string): Promise<HistoryCase[]> {
  const cases: HistoryCase[] = [];
  for (const size of o.sizes) {
    const room = rooms.get(size)!;
    for (const page of ['latest', 'before', 'after'] as const) {
      let tooSlow: string | null = null;
      for (const connections of o.connections) {
        const paths = pagePaths(room, page, o.limit);
        const path = paths.distinct > 1 ? `${paths.first} … (${paths.distinct} cursors in turn)` : paths.first;
        const label = `${size} messages, ${page} page, ${connections} connection(s)`;
        if (tooSlow) {
          // A page that already takes seconds at lower concurrency would only queue work in the
          // store for minutes (the whole product stalls): record it as not run, with why.
          cases.push({ roomSize: size, page, connections, path, seconds: 0, requests: 0, requestsPerSecond: null, p50: null, p90: null, p99: null, max: null, non2xx: 0, errors: 0, skipped: tooSlow });
          progress('history', `${label}: skipped (${tooSlow})`);
          continue;
        }
        progress('history', `${label}: ${o.seconds} s`);
        const r = await runCase(paths, connections, o.seconds, token, label);
        if (r.requests.total === 0) {
          // Not one answer within the case: autocannon has no latency to report. Time one request
          // alone instead, so the table says how long a page takes, and do not pile on more.
          const single = await timeOne(paths.first, token);
          cases.push({ roomSize: size, page, connections, path, seconds: o.seconds, requests: 0, requestsPerSecond: 0, p50: single, p90: null, p99: null, max: single, non2xx: r.non2xx, errors: r.errors + r.timeouts });
          tooSlow = `no answer within ${o.seconds} s at ${connections} connection(s); one request alone took ${single === null ? 'over 60 s' : `${Math.round(single)} ms`}`;
          progress('history', `  → no request completed; ${tooSlow}`);
          continue;
        }
        const c: HistoryCase = {
          roomSize: size,
          page,
          connections,
          path,
          seconds: o.seconds,
          requests: r.requests.total,
          requestsPerSecond: r.requests.average,
          p50: r.latency.p50,
          p90: r.latency.p90,
          p99: r.latency.p99,
          max: r.latency.max,
          non2xx: r.non2xx,
          errors: r.errors + r.timeouts,
        };
        cases.push(c);
        progress('history', `  → ${cell(c.requestsPerSecond)} req/s, p50 ${cell(c.p50)} ms, p99 ${cell(c.p99)} ms, non-2xx ${c.non2xx}, errors ${c.errors}`);
        if ((c.p50 ?? 0) > SLOW_P50_MS) tooSlow = `p50 ${Math.round(c.p50!)} ms at ${connections} connection(s) already exceeds ${SLOW_P50_MS} ms`;
      }
    }
  }
  return cases;
}

/**
 * Each case's median over the rounds (the rounds list the cases in the same order): rates and
 * latencies as medians, requests and errors summed. A case skipped in any round stays skipped,
 * with the first reason: its medians would mix a stalled store with a healthy one.
 */
export function medianHistoryCases(rounds: readonly HistoryCase[][]): HistoryCase[] {
  return (rounds[0] ?? []).map((first, i) => {
    const all = rounds.map((round) => round[i]!);
    const skipped = all.find((c) => c.skipped)?.skipped;
    const sum = (key: 'seconds' | 'requests' | 'non2xx' | 'errors') => all.reduce((n, c) => n + c[key], 0);
    const of = (key: 'requestsPerSecond' | 'p50' | 'p90' | 'p99' | 'max') => median(all.map((c) => c[key]));
    return {
      ...first,
      seconds: sum('seconds'),
      requests: sum('requests'),
      requestsPerSecond: skipped ? null : of('requestsPerSecond'),
      p50: of('p50'),
      p90: of('p90'),
      p99: of('p99'),
      max: of('max'),
      non2xx: sum('non2xx'),
      errors: sum('errors'),
      ...(skipped ? { skipped } : {}),
    };
  });
}

export function historySummary(results: HistoryResults): string {
  const rounds = results.rounds ?? [results.cases];
  const perRound = (i: number, key: 'requestsPerSecond' | 'p99', digits?: number) => rounds.map((round) => cell(round[i]?.[key] ?? null, digits)).join(' / ');
  const rows = results.cases.map((c, i) => [
    `${c.roomSize.toLocaleString('en-US')} msgs, ${c.page}, ${c.connections} conn`,
    c.skipped ? 'skipped' : cell(c.requestsPerSecond, 0),
    cell(c.p50),
    cell(c.p90),
    cell(c.p99),
    cell(c.max),
    c.skipped ? '-' : String(c.non2xx + c.errors),
    perRound(i, 'requestsPerSecond', 0),
    perRound(i, 'p99'),
  ]);
  const growth = results.growth.map((g) => [`${g.page}, ${g.connections} conn`, cell(g.p50Ratio, 2), cell(g.rpsRatio, 2)]);
  return [
    `history: GET ${'/api/rooms/:id/messages'} through Nginx, limit ${results.config.limit}, ${results.config.secondsPerCase} s per case, ` +
      `medians of ${rounds.length} round(s) (latencies in ms)`,
    table(['case', 'req/s', 'p50', 'p90', 'p99', 'max', 'errors', 'req/s per round', 'p99 per round'], rows),
    '',
    `cost growth, largest room / smallest room (≈ 1.0: independent of the room's size)`,
    table(['page', 'p50 ratio', 'req/s ratio'], growth),
  ].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`history failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}

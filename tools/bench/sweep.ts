import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseClientStack, type ClientStack } from '../loadgen/connections';
import type { LoadResult } from '../loadgen/result';
import { cell, componentPidFiles, hostInfo, intListOption, intOption, progress, socketServerPidFiles, systemsOption, table, urlOf } from './bench-env';
import { sweepPoints, sweepSaturation } from './aggregate';
import type { SweepResults, SweepRun, System } from './results';

/**
 * The sweep scenario: the message path at several offered rates, chatstream and the baseline
 * alternately, every round. Each point is one load generator run (tools/loadgen) with the same
 * clients and rooms: it connects, joins, warms up, sends for `seconds` at the point's rate (open
 * loop), drains, and reports acks, deliveries, latencies, loss/duplicates/order and CPU per
 * component. Run by scripts/bench.sh, which starts both systems first.
 */
interface SweepOptions {
  outDir: string;
  rates: number[];
  rounds: number;
  clients: number;
  rooms: number;
  seconds: number;
  systems: System[];
  /** The load generator's client stack (tools/loadgen/connections.ts, ClientStack). */
  client: ClientStack;
}

function parseSweepOptions(argv: string[]): SweepOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'out-dir': { type: 'string' },
      rates: { type: 'string', default: '250,500,1000,2000,4000' },
      rounds: { type: 'string', default: '3' },
      clients: { type: 'string', default: '300' },
      rooms: { type: 'string', default: '30' },
      seconds: { type: 'string', default: '10' },
      systems: { type: 'string', default: 'chatstream,baseline' },
      client: { type: 'string', default: 'raw' },
    },
    strict: true,
  });
  const outDir = values['out-dir'];
  if (!outDir) throw new Error('--out-dir is required');
  const clients = intOption('clients', values.clients, 1, 5_000);
  const client = parseClientStack(values.client);
  return {
    outDir,
    rates: intListOption('rates', values.rates, 1, 100_000),
    rounds: intOption('rounds', values.rounds, 1, 20),
    clients,
    rooms: intOption('rooms', values.rooms, 1, clients),
    seconds: intOption('seconds', values.seconds, 1, 120),
    systems: systemsOption(values.systems),
    client,
  };
}

/** One load generator run as a child process; its JSON result, or null if it failed. */
function runLoad(o: SweepOptions, system: System, round: number, offered: number): Promise<SweepRun | null> {
  const { clients, rooms, seconds, outDir } = o;
  const intervalMs = Math.max(1, Math.round((clients * 1000) / offered));
  const messages = Math.max(1, Math.ceil((seconds * 1000) / intervalMs));
  const out = join(outDir, 'runs', `r${round}-${system}-${offered}.json`);
  const components = Object.entries(componentPidFiles(system)).flatMap(([name, files]) => ['--component', `${name}=${files.join('+')}`]);
  const args = [
    join(__dirname, '../loadgen/loadgen.js'),
    ...['--mode', system, '--client', o.client, '--url', urlOf(system), '--label', `${system} ${offered}/s r${round}`],
    ...['--clients', String(clients), '--rooms', String(rooms), '--messages', String(messages), '--interval', String(intervalMs)],
    ...['--warmup', '2', '--max-seconds', String(seconds + 60), '--drain-seconds', '10', '--out', out, '--progress'],
    ...['--pid-files', socketServerPidFiles(system).join(',')],
    ...components,
  ];
  return new Promise((resolve) => {
    // stdout (the loadgen's own table) is dropped: the sweep prints its own summary.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => {
      if (code !== 0) {
        progress('sweep', `${system} ${offered}/s round ${round}: load generator FAILED (exit ${code}); left out of the medians`);
        return resolve(null);
      }
      const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
      resolve({ system, round, offered, result, cpuSeconds: result.cpuSecondsByComponent });
    });
  });
}

async function main(): Promise<void> {
  const o = parseSweepOptions(process.argv.slice(2));
  const { outDir, rates, rounds, clients, rooms, seconds, systems } = o;
  const started = Date.now();
  mkdirSync(join(outDir, 'runs'), { recursive: true });
  const runs: SweepRun[] = [];
  const total = rounds * rates.length * systems.length;
  for (let round = 1; round <= rounds; round++) {
    // Alternate which system goes first, so slow drift on the machine hits both alike.
    const order = round % 2 === 1 ? systems : [...systems].reverse();
    for (const system of order) {
      for (const offered of rates) {
        const elapsed = Math.round((Date.now() - started) / 1000);
        progress('sweep', `run ${runs.length + 1}/${total} (${elapsed} s): round ${round}/${rounds}, ${system} at ${offered} sends/s`);
        const run = await runLoad(o, system, round, offered);
        if (!run) continue;
        runs.push(run);
        const r = run.result;
        progress(
          'sweep',
          `  ${system} ${offered}/s: acked ${cell(r.ackedPerSecond)}/s, delivered ${cell(r.deliveredPerSecond)}/s, ` +
            `ack p99 ${cell(r.ackP99)} ms, send→receive p99 ${cell(r.e2eP99)} ms, lost ${r.lost}, dup ${r.duplicates}`,
        );
        await new Promise((r) => setTimeout(r, 2_000)); // let GC, Kafka and the persister settle
      }
    }
  }
  const points = sweepPoints(runs);
  const results: SweepResults = {
    scenario: 'sweep',
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    command: `npm run bench -- sweep --rates ${rates.join(',')} --rounds ${rounds} --clients ${clients} --rooms ${rooms} --seconds ${seconds} --client ${o.client}`,
    seconds: Math.round((Date.now() - started) / 1000),
    config: { client: o.client, clients, rooms, rates, rounds, secondsPerPoint: seconds },
    runs,
    points,
    saturation: sweepSaturation(points),
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(summary(results));
}

/** The summary tables: per rate, both systems side by side, and CPU per component. */
export function summary(results: SweepResults): string {
  const rows = results.config.rates.map((offered) => {
    const c = results.points.find((p) => p.system === 'chatstream' && p.offered === offered);
    const b = results.points.find((p) => p.system === 'baseline' && p.offered === offered);
    const pair = (x: number | null | undefined, y: number | null | undefined): string => `${cell(x, 0)} / ${cell(y, 0)}`;
    return [
      String(offered),
      cell(c?.ackedPerSecond, 0),
      cell(c?.deliveredPerSecond, 0),
      pair(c?.ackP50, c?.ackP99),
      pair(c?.e2eP50, c?.e2eP99),
      c ? `${c.lost}/${c.duplicates}/${c.outOfOrder}` : '-',
      cell(b?.ackedPerSecond, 0),
      cell(b?.deliveredPerSecond, 0),
      pair(b?.ackP50, b?.ackP99),
      pair(b?.e2eP50, b?.e2eP99),
      c && b && c.deliveredPerSecond && b.deliveredPerSecond ? (c.deliveredPerSecond / b.deliveredPerSecond).toFixed(2) : '-',
      pair(c?.cpuMsPer1kTotal, b?.cpuMsPer1kTotal),
    ];
  });
  const main = table(
    ['offered/s', 'c acked/s', 'c deliv/s', 'c ack p50/p99', 'c s→r p50/p99', 'c lost/dup/ooo', 'b acked/s', 'b deliv/s', 'b ack p50/p99', 'b s→r p50/p99', 'deliv c/b', 'CPU ms/1k c/b'],
    rows,
  );
  const names = [...new Set(results.points.flatMap((p) => Object.keys(p.cpuMsPer1kByComponent)))].sort();
  const cpu = table(
    ['CPU ms per 1k deliveries', ...names],
    results.points.map((p) => [`${p.system} ${p.offered}/s`, ...names.map((n) => cell(p.cpuMsPer1kByComponent[n]))]),
  );
  const sat = (['chatstream', 'baseline'] as const)
    .map((s) => {
      const x = results.saturation[s];
      return `${s}: kept up to ${cell(x.keptUpTo, 0)} sends/s, saturated at ${x.saturatedAt ?? 'none of the rates'}, max delivered ${cell(x.maxDeliveredPerSecond, 0)}/s`;
    })
    .join('\n');
  return [
    `sweep: ${results.config.clients} clients in ${results.config.rooms} rooms, ${results.config.secondsPerPoint} s per point, medians of ${results.config.rounds} rounds, load generator client ${results.config.client ?? 'socket.io'} (c = chatstream, b = baseline; latencies in ms)`,
    main,
    '',
    cpu,
    '',
    sat,
  ].join('\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`sweep failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}

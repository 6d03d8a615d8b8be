import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fmt, type LoadResult, METRICS } from './result';
import { median } from './stats';

/**
 * scripts/bench.sh's summary: the median of every figure over the rounds, per system, and the
 * ratio chatstream / baseline. Reads the JSON result files of the rounds, prints a table and
 * writes everything (rounds included) to --out.
 *
 *   node dist/tools/loadgen/summarize.js --out .data/bench/results-X.json r1.json r2.json ...
 */
const { values, positionals } = parseArgs({
  options: { out: { type: 'string' }, note: { type: 'string' } },
  allowPositionals: true,
  strict: true,
});

const isResult = (v: unknown): v is LoadResult =>
  typeof v === 'object' && v !== null && 'mode' in v && (v.mode === 'chatstream' || v.mode === 'baseline') && 'config' in v;

const rounds: LoadResult[] = [];
for (const file of positionals) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const parsed: unknown = JSON.parse(line);
    if (!isResult(parsed)) throw new Error(`${file}: not a load generator result`);
    rounds.push(parsed);
  }
}
const of = (mode: LoadResult['mode']): LoadResult[] => rounds.filter((r) => r.mode === mode);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

type Row = { metric: string; unit: string; chatstream: number | null; baseline: number | null; ratio: number | null };
const rows: Row[] = METRICS.map((m) => {
  const a = median(of('chatstream').map((r) => num(r[m.key])));
  const b = median(of('baseline').map((r) => num(r[m.key])));
  const ratio = a !== null && b !== null && b !== 0 ? Math.round((a / b) * 100) / 100 : null;
  return { metric: m.label, unit: m.unit, chatstream: a, baseline: b, ratio };
});

const sumOf = (mode: LoadResult['mode'], key: 'lost' | 'duplicates' | 'failed' | 'unexpected' | 'disconnects'): number =>
  of(mode).reduce((s, r) => s + r[key], 0);
const totals = Object.fromEntries(
  (['chatstream', 'baseline'] as const).map((mode) => [
    mode,
    {
      rounds: of(mode).length,
      lost: sumOf(mode, 'lost'),
      duplicates: sumOf(mode, 'duplicates'),
      failed: sumOf(mode, 'failed'),
      unexpected: sumOf(mode, 'unexpected'),
      disconnects: sumOf(mode, 'disconnects'),
      outOfOrder: of(mode).reduce((s, r) => s + (r.outOfOrder ?? 0), 0),
      orderMismatches: of(mode).reduce((s, r) => s + r.orderMismatches, 0),
      timedOutRounds: of(mode).filter((r) => r.timedOut).length,
      distributions: of(mode).map((r) => r.distribution),
      roomsSpanningReplicas: of(mode).map((r) => r.roomsSpanningReplicas),
    },
  ]),
);

const config = rounds[0]?.config ?? null;
const header = `${'metric'.padEnd(24)}${'unit'.padEnd(10)}${'chatstream'.padStart(12)}${'baseline'.padStart(12)}${'ratio c/b'.padStart(11)}`;
console.log(`medians over ${of('chatstream').length} chatstream and ${of('baseline').length} baseline rounds; load: ${JSON.stringify(config)}`);
console.log(header);
console.log('-'.repeat(header.length));
for (const r of rows) {
  console.log(`${r.metric.padEnd(24)}${r.unit.padEnd(10)}${fmt(r.chatstream).padStart(12)}${fmt(r.baseline).padStart(12)}${fmt(r.ratio).padStart(11)}`);
}
console.log(`totals over all rounds: ${JSON.stringify(totals)}`);

if (values.out) {
  writeFileSync(
    values.out,
    `${JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        note: values.note ?? null,
        host: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, loadavg: loadavg() },
        config,
        medians: rows,
        totals,
        rounds,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${values.out}`);
}

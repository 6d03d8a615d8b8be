import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dataDir } from '../loadgen/options';
import { filesMatching } from '../loadgen/stats';
import type { HostInfo, System } from './results';

/**
 * Where the systems under test run, as scripts/topology.sh and scripts/bench.sh start them:
 * the chatstream topology's pid files in .data/run, the baseline's in .data/bench/run.
 */
export const CHATSTREAM_URL = process.env.BENCH_CHATSTREAM_URL ?? 'http://127.0.0.1:3001';
export const BASELINE_URL = process.env.BENCH_BASELINE_URL ?? 'http://127.0.0.1:3002';

export const urlOf = (system: System): string => (system === 'chatstream' ? CHATSTREAM_URL : BASELINE_URL);

/** The pid files of the processes that hold the sockets (RSS and CPU per connection). */
export function socketServerPidFiles(system: System): string[] {
  return system === 'chatstream'
    ? filesMatching(`${dataDir()}/run`, /^gateway-\d+\.pid$/)
    : filesMatching(`${dataDir()}/bench/run`, /^baseline-\d+\.pid$/);
}

/** Every process on the message path, by component name (CPU is reported per component). */
export function componentPidFiles(system: System): Record<string, string[]> {
  const run = `${dataDir()}/run`;
  const out: Record<string, string[]> = {};
  for (const f of socketServerPidFiles(system)) out[/([a-z]+-\d+)\.pid$/.exec(f)![1]!] = [f];
  if (system === 'chatstream') {
    Object.assign(out, {
      persister: [`${run}/persister.pid`],
      api: [`${run}/api.pid`],
      kafka: [`${run}/kafka.pid`],
      store: [`${run}/mongo.pid`],
      redis: [`${run}/redis.pid`],
      nginx: [`${run}/nginx.pid`],
    });
  } else {
    Object.assign(out, { redis: [`${run}/redis.pid`], nginx: [`${dataDir()}/bench/run/baseline-nginx.pid`] });
  }
  return out;
}

export function hostInfo(): HostInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
  };
}

export const freeMemoryGiB = (): number => Math.round((freemem() / 2 ** 30) * 10) / 10;

/** A command-line integer in min..max, or an error naming the option. */
export function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} takes integers in ${min}..${max} (got '${raw}')`);
  return n;
}

/** A comma-separated list of such integers. */
export const intListOption = (name: string, raw: string, min: number, max: number): number[] => raw.split(',').map((x) => intOption(name, x, min, max));

/** --systems: chatstream and/or baseline. */
export function systemsOption(raw: string): System[] {
  const systems = raw.split(',').map((s) => s.trim());
  if (!systems.every((s): s is System => s === 'chatstream' || s === 'baseline')) throw new Error('--systems takes chatstream and/or baseline');
  return systems;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Progress for a person watching: one prefixed line on stderr (stdout carries the tables). */
export function progress(scenario: string, line: string): void {
  process.stderr.write(`[bench ${scenario}] ${line}\n`);
}

/** Formats a number for a table cell: '-' for null, thousands separated, at most one decimal. */
export function cell(v: number | null | undefined, decimals = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return v.toLocaleString('en-US', { maximumFractionDigits: decimals });
}

/** A plain text table: header row, rule, rows; columns right-aligned except the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

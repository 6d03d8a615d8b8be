/**
 * Summarises an on-CPU profile of a Node process: the text of `perf script` for a `perf record -g`
 * of a process started with `--perf-basic-prof` (which names its JS frames for perf). Prints where
 * the samples end (kernel, GC, JIT, JS, V8 builtins, other native code), the package or chatstream
 * file nearest to where each sample ends, and the frames most samples pass through.
 *
 * Why not only V8's profiler (`--cpu-prof`, profile-top.ts): it samples on a wall-clock timer and
 * records the stack when the thread next runs, so on a saturated machine the time a process waits
 * for a core lands on whatever frame it resumes in (a syscall such as `writev`, most often). perf's
 * `cpu-clock` samples only count while the process is on a core. docs/benchmarks.md has both
 * profiles of one gateway side by side, and the commands.
 *
 * Usage: node dist/tools/bench/perf-top.js FILE.txt [frames]
 */
import { readFileSync } from 'node:fs';

/** One sample: its frames, the innermost first, each as perf prints it (symbol and object). */
export type PerfSample = string[];

export function parsePerfScript(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  let current: PerfSample | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current?.length) samples.push(current);
      current = undefined;
    } else if (/^\s/.test(line)) {
      // "\t    7f25502fa5dd JS:*writevGeneric node:internal/stream_base_commons:123:23+0x6dd (/tmp/perf-1.map)"
      const frame = line.trim().replace(/^[0-9a-f]+\s+/, '');
      (current ??= []).push(frame);
    } else {
      if (current?.length) samples.push(current);
      current = []; // a sample's header: "node 30594  8535.658481:    1001001 cpu-clock:ppp:"
    }
  }
  if (current?.length) samples.push(current);
  return samples;
}

const jsLocation = (frame: string): string | undefined => /^JS:\S*\s+(\S+?):\d+:\d+/.exec(frame)?.[1];

/** The package of a JS frame (`kafkajs`, `@nestjs/core`), a chatstream file, or node's own module. */
export function ownerOf(location: string): string {
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(location);
  if (dependency) return dependency[1]!;
  const own = /\/dist\/((apps|libs|tools)\/.+)$/.exec(location);
  if (own) return own[1]!.replace(/\/src\//, '/');
  return location;
}

export function leafKind(frame: string): string {
  if (frame.includes('[kernel.kallsyms]')) return 'kernel';
  if (/Scaveng|MarkCompact|Marking|Sweeper|Heap::|GCTracer|Evacuat/.test(frame)) return 'gc';
  if (/compiler::|maglev|Turbofan|baseline::|Compiler::/.test(frame)) return 'jit';
  if (frame.startsWith('JS:')) return 'js';
  if (frame.startsWith('Builtins_')) return 'builtins';
  return 'native';
}

/**
 * Who a sample's time belongs to: the nearest JS frame of a package or chatstream file; else the
 * nearest of node's own modules; else, for a sample with no JS frame at all, its outermost frame
 * (a V8 worker thread, the event loop).
 */
export function sampleOwner(sample: PerfSample): string {
  let nodeModule: string | undefined;
  for (const frame of sample) {
    const location = jsLocation(frame);
    if (!location) continue;
    if (!location.startsWith('node:')) return ownerOf(location);
    nodeModule ??= location;
  }
  return nodeModule ?? `(native) ${(sample.at(-1) ?? '').replace(/\+0x[0-9a-f]+.*$/, '')}`;
}

export interface PerfSummary {
  samples: number;
  byLeaf: [string, number][];
  byOwner: [string, number][];
  /** Frames of packages and chatstream files, each counted once per sample it is on. */
  inclusive: [string, number][];
}

export function summarise(samples: PerfSample[], top = 30): PerfSummary {
  const count = (keys: Iterable<string>) => {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]);
  };
  const inclusiveKeys = function* () {
    for (const sample of samples) {
      const seen = new Set<string>();
      for (const frame of sample) {
        const location = jsLocation(frame);
        if (!location || location.startsWith('node:')) continue;
        const name = /^JS:[*~^]?(\S*)/.exec(frame)?.[1] || '(anonymous)';
        seen.add(`${ownerOf(location)} ${name}`);
      }
      yield* seen;
    }
  };
  return {
    samples: samples.length,
    byLeaf: count(samples.map((s) => leafKind(s[0] ?? ''))),
    byOwner: count(samples.map(sampleOwner)).slice(0, top),
    inclusive: count(inclusiveKeys()).slice(0, top),
  };
}

export function formatSummary(summary: PerfSummary): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, summary.samples)).toFixed(1).padStart(5)} %`;
  const rows = (list: [string, number][]) => list.map(([k, n]) => `  ${pct(n)}  ${k}`).join('\n');
  return [
    `${summary.samples} samples on a core`,
    'where samples end:',
    rows(summary.byLeaf),
    'nearest package or chatstream file:',
    rows(summary.byOwner),
    'frames most samples pass through (callees included):',
    rows(summary.inclusive),
  ].join('\n');
}

if (require.main === module) {
  const [file, frames] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/tools/bench/perf-top.js FILE.txt [frames]');
    process.exit(2);
  }
  console.log(formatSummary(summarise(parsePerfScript(readFileSync(file, 'utf8')), Number(frames ?? 30))));
}

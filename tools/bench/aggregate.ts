/**
 * Derived figures of the result files (results.ts): sweep rounds → medians per load point, the
 * saturation point of each system, and how history reads grow with the room. Pure, no I/O, so the
 * scenario runners and the chart renderer compute them the same way.
 */
import { SWEEP_MEDIAN_FIELDS as MEDIAN_FIELDS, type HistoryCase, type HistoryPageKind, type HistoryResults, type SweepPoint, type SweepResults, type SweepRun, type System } from './results';
import { median, ratio, round1, sum } from './stats';

export const SYSTEMS: readonly System[] = ['chatstream', 'baseline'];
const PAGE_ORDER: readonly HistoryPageKind[] = ['latest', 'before', 'after'];

/** CPU ms per 1,000 deliveries of one run: cpuSeconds × 1e6 / delivered (null when nothing was delivered). */
const perThousand = (cpuSeconds: number, delivered: number): number | null => (delivered > 0 ? (cpuSeconds * 1e6) / delivered : null);

/**
 * One SweepPoint per (system, offered rate): medians over the rounds of the rates, latencies and
 * CPU per delivery; sums of the correctness counters, because one loss in any round must show.
 * Sorted by system (chatstream first) then offered rate.
 */
export function sweepPoints(runs: readonly SweepRun[]): SweepPoint[] {
  const groups = new Map<string, SweepRun[]>();
  for (const run of runs) {
    const key = `${run.system}\u0000${run.offered}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const points = [...groups.values()].map((group): SweepPoint => {
    const first = group[0]!;
    const results = group.map((r) => r.result);
    const medians = Object.fromEntries(MEDIAN_FIELDS.map((f) => [f, round1(median(results.map((r) => r[f])))])) as Pick<
      SweepPoint,
      (typeof MEDIAN_FIELDS)[number]
    >;
    const components = [...new Set(group.flatMap((r) => Object.keys(r.cpuSeconds)))].sort();
    const cpuMsPer1kByComponent: Record<string, number> = {};
    for (const c of components) {
      // A run without this component is skipped rather than counted as 0 CPU.
      const m = round1(median(group.map((r) => (c in r.cpuSeconds ? perThousand(r.cpuSeconds[c], r.result.delivered) : null))));
      if (m !== null) cpuMsPer1kByComponent[c] = m;
    }
    return {
      system: first.system,
      offered: first.offered,
      rounds: group.length,
      ...medians,
      lost: sum(results.map((r) => r.lost)),
      duplicates: sum(results.map((r) => r.duplicates)),
      // null: the server sends no seq (baseline), so nothing could be out of order.
      outOfOrder: sum(results.map((r) => r.outOfOrder ?? 0)),
      orderMismatches: sum(results.map((r) => r.orderMismatches)),
      failed: sum(results.map((r) => r.failed)),
      cpuMsPer1kByComponent,
      cpuMsPer1kTotal: round1(median(group.map((r) => perThousand(sum(Object.values(r.cpuSeconds)), r.result.delivered)))),
    };
  });
  return points.sort((a, b) => SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system) || a.offered - b.offered);
}

/** Acknowledged/s at least this share of the offered rate counts as keeping up. */
export const KEPT_UP_SHARE = 0.95;
/** Ack p99 above this (ms) does not count as keeping up, whatever the rate. */
export const KEPT_UP_ACK_P99_MS = 1000;

export const keptUp = (p: SweepPoint): boolean =>
  p.ackedPerSecond !== null && p.ackP99 !== null && p.ackedPerSecond >= KEPT_UP_SHARE * p.offered && p.ackP99 <= KEPT_UP_ACK_P99_MS;

/**
 * Per system: `saturatedAt` is the lowest offered rate it did not keep up with (null: it kept up
 * with all), `keptUpTo` the highest rate below that one it kept up with (null: not even the lowest).
 * Rates above the first failure are ignored for `keptUpTo`, so a lucky round past saturation
 * cannot claim a higher figure than the one every lower rate supports.
 */
export function sweepSaturation(points: readonly SweepPoint[]): SweepResults['saturation'] {
  const entry = (system: System): SweepResults['saturation'][System] => {
    const own = points.filter((p) => p.system === system).sort((a, b) => a.offered - b.offered);
    const firstMiss = own.find((p) => !keptUp(p));
    const below = own.filter((p) => (firstMiss ? p.offered < firstMiss.offered : true) && keptUp(p));
    const delivered = own.map((p) => p.deliveredPerSecond).filter((v): v is number => v !== null);
    return {
      keptUpTo: below.length > 0 ? below[below.length - 1]!.offered : null,
      saturatedAt: firstMiss ? firstMiss.offered : null,
      maxDeliveredPerSecond: delivered.length > 0 ? Math.max(...delivered) : null,
    };
  };
  return { chatstream: entry('chatstream'), baseline: entry('baseline') };
}

/**
 * For each (page, connections) measured on at least two room sizes: p50 and requests/s on the
 * largest room divided by those on the smallest. Skipped cases are left out; a group with a single
 * room size gets null ratios (comparing a room to itself says nothing about growth).
 */
export function historyGrowth(cases: readonly HistoryCase[]): HistoryResults['growth'] {
  const groups = new Map<string, HistoryCase[]>();
  for (const c of cases) {
    if (c.skipped !== undefined) continue;
    const key = `${c.page}\u0000${c.connections}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()]
    .map((group) => {
      const bySize = [...group].sort((a, b) => a.roomSize - b.roomSize);
      const smallest = bySize[0]!;
      const largest = bySize[bySize.length - 1]!;
      const comparable = largest.roomSize > smallest.roomSize;
      return {
        page: smallest.page,
        connections: smallest.connections,
        p50Ratio: comparable ? ratio(largest.p50, smallest.p50) : null,
        rpsRatio: comparable ? ratio(largest.requestsPerSecond, smallest.requestsPerSecond) : null,
      };
    })
    .sort((a, b) => PAGE_ORDER.indexOf(a.page) - PAGE_ORDER.indexOf(b.page) || a.connections - b.connections);
}

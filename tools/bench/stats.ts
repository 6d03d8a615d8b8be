/**
 * The pure statistics the load generator and the benchmark share (one copy: tools/loadgen imports
 * them from here; its /proc helpers stay in tools/loadgen/stats.ts). No I/O.
 */

/** Percentile of an unsorted sample (nearest rank); null for an empty one. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Median of the numbers among `values` (nulls and non-finite values skipped); null if there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One decimal, the precision every result file uses for ms and rates; null stays null. */
export const round1 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10) / 10);

/** a / b to 2 decimals; null when either is missing or b is 0 (a ratio to nothing means nothing). */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

export const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/**
 * The look shared by every benchmark chart: sizes, colours, line styles and number labels, so the
 * two systems keep the same colours from one chart (and one scenario) to the next. Pure.
 */
import type { HistoryPageKind, System } from './results';

export const WIDTH = 900;
export const HEIGHT = 500;

/** Blue and orange: the pair that stays distinct for the common colour-vision deficiencies. */
export const SYSTEM_COLOR: Record<System, string> = { chatstream: '#1f77b4', baseline: '#ff7f0e' };

/** For series that are not systems (components, page kinds): Tableau 10 without its blue and orange. */
export const PALETTE: readonly string[] = ['#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#4e79a7', '#f28e2b', '#bab0ac'];

export const paletteColor = (i: number): string => PALETTE[i % PALETTE.length]!;

/** History's page kinds: hues away from the systems' blue and orange, and not a red/green pair. */
export const PAGE_COLOR: Record<HistoryPageKind, string> = { latest: '#59a14f', before: '#b07aa1', after: '#9c755f' };

/** Line dash patterns told apart in a legend; index 0 is solid. */
export const DASHES: readonly number[][] = [[], [10, 5], [3, 3], [12, 4, 3, 4]];

export const dash = (i: number): number[] => DASHES[i % DASHES.length]!;

/** The reference lines (offered rate, limits): grey, dashed, behind the data. */
export const REFERENCE_COLOR = '#888888';

/** 1000 → "1k", 2500 → "2.5k", 1000000 → "1M": room sizes and rates as people say them. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  const [div, suffix] = abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  const v = n / div;
  return `${Number.isInteger(v) ? v : Number(v.toFixed(1))}${suffix}`;
}

/** A positive number or null: a log axis cannot show 0 (a 0 ms latency means "not measured" here). */
export const forLogAxis = (v: number | null): number | null => (v !== null && v > 0 ? v : null);

/** Semi-transparent fill of a #rrggbb colour, for bars drawn beside a solid one. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * What each scenario's charts show: results (results.ts) → Chart.js configurations, one per PNG.
 * Pure (no canvas, no I/O) so the shaping is unit-tested without looking at pixels; render-png.ts
 * draws them.
 */
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { SYSTEMS, sweepPoints } from './aggregate';
import { dash, formatCount, forLogAxis, HEIGHT, PAGE_COLOR, paletteColor, REFERENCE_COLOR, SYSTEM_COLOR, WIDTH, withAlpha } from './chart-style';
import type { BenchResults, ConnectionsResults, HistoryCase, HistoryPageKind, HistoryResults, JoinResults, SweepPoint, SweepResults } from './results';

interface SpecBase {
  /** The file name without `.png`. */
  name: string;
  width: number;
  height: number;
}
export interface LineSpec extends SpecBase {
  config: ChartConfiguration<'line'>;
}
export interface BarSpec extends SpecBase {
  config: ChartConfiguration<'bar'>;
}
export type ChartSpec = LineSpec | BarSpec;

/** The charts of one result file, whatever its scenario. */
export function chartsFor(results: BenchResults): ChartSpec[] {
  switch (results.scenario) {
    case 'sweep':
      return sweepCharts(results);
    case 'history':
      return historyCharts(results);
    case 'connections':
      return connectionsCharts(results);
    case 'join':
      return joinCharts(results);
  }
}

// --- shared pieces -------------------------------------------------------------------------------

/**
 * Title, subtitle and legend. A line chart's legend keys are zero-height boxes, i.e. stroked line
 * samples that keep the dataset's dash pattern (Chart.js's 'line' point style would draw them all
 * solid), so percentiles can be told apart.
 */
const header = (title: string, subtitle: string, kind: 'line' | 'bar') => ({
  title: { display: true, text: title, font: { size: 17, weight: 'bold' as const }, padding: { top: 6, bottom: 4 } },
  subtitle: { display: subtitle !== '', text: subtitle, font: { size: 12 }, padding: { bottom: 12 } },
  legend: {
    position: 'bottom' as const,
    labels: kind === 'line' ? { boxWidth: 44, boxHeight: 0, padding: 16 } : { boxWidth: 24, padding: 16 },
  },
});

/**
 * A log axis labelled only at 1, 2 and 5 × 10^n: Chart.js's own choice of labels can crowd
 * (e.g. 800 next to 1,000) or leave a decade without one.
 */
export const logTickLabel = (value: number | string): string => {
  const n = Number(value);
  if (!(n > 0)) return '';
  const significand = n / 10 ** Math.floor(Math.log10(n) + 1e-9);
  return [1, 2, 5].some((k) => Math.abs(significand - k) < 1e-6) ? n.toLocaleString('en-US') : '';
};

const logAxis = (title: string) => ({ type: 'logarithmic' as const, title: axisTitle(title), ticks: { callback: logTickLabel, autoSkip: false } });

const axisTitle = (text: string) => ({ display: true, text, font: { size: 13, weight: 'bold' as const } });

const line = (spec: { label: string; color: string; data: (number | null)[] | { x: number; y: number | null }[]; dash?: number[]; width?: number }): ChartDataset<'line'> => ({
  label: spec.label,
  data: spec.data,
  borderColor: spec.color,
  backgroundColor: spec.color,
  borderDash: spec.dash ?? [],
  borderWidth: spec.width ?? 2,
  pointRadius: 3,
  // A missing point (not measured) should not hide the trend on either side of it.
  spanGaps: true,
});

const reference = (label: string, data: (number | null)[]): ChartDataset<'line'> => ({
  ...line({ label, color: REFERENCE_COLOR, data, dash: [6, 6], width: 1.5 }),
  pointRadius: 0,
  order: 10,
});

const rate = (n: number): string => n.toLocaleString('en-US');

// --- sweep ---------------------------------------------------------------------------------------

type SweepField = keyof Pick<SweepPoint, 'ackedPerSecond' | 'deliveredPerSecond' | 'ackP50' | 'ackP99' | 'e2eP50' | 'e2eP95' | 'e2eP99'>;

/** The offered rates of the sweep, ascending: the shared x axis of every sweep chart. */
export const offeredRates = (points: readonly SweepPoint[]): number[] => [...new Set(points.map((p) => p.offered))].sort((a, b) => a - b);

/** One figure of one system at each offered rate (null where that system has no point). */
export function sweepSeries(points: readonly SweepPoint[], system: SweepPoint['system'], field: SweepField, rates = offeredRates(points)): (number | null)[] {
  return rates.map((r) => points.find((p) => p.system === system && p.offered === r)?.[field] ?? null);
}

const systemsIn = (points: readonly SweepPoint[]) => SYSTEMS.filter((s) => points.some((p) => p.system === s));

export function sweepCharts(r: SweepResults): ChartSpec[] {
  // A results file written before its points were aggregated still charts from its runs.
  const points = r.points.length > 0 ? r.points : sweepPoints(r.runs);
  const rates = offeredRates(points);
  const labels = rates.map(rate);
  const systems = systemsIn(points);
  const sub = `medians of ${r.config.rounds} round(s) · ${rate(r.config.clients)} clients in ${rate(r.config.rooms)} rooms · ${r.config.secondsPerPoint} s per point`;
  const x = { title: axisTitle('offered rate (msg/s)') };
  const series = (s: SweepPoint['system'], f: SweepField) => sweepSeries(points, s, f, rates);

  // The highest percentile (the one the comparison is about) is the solid, thicker line.
  const percentileLines = (fields: { field: SweepField; name: string }[], log: boolean) =>
    systems.flatMap((s) =>
      fields.map(({ field, name }, i) => {
        const rank = fields.length - 1 - i;
        const data = series(s, field).map((v) => (log ? forLogAxis(v) : v));
        return line({ label: `${s} ${name}`, color: SYSTEM_COLOR[s], data, dash: dash(rank), width: rank === 0 ? 2.5 : 2 });
      }),
    );

  const latency: LineSpec = {
    name: 'sweep-latency',
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: {
        labels,
        datasets: percentileLines(
          [
            { field: 'e2eP50', name: 'p50' },
            { field: 'e2eP95', name: 'p95' },
            { field: 'e2eP99', name: 'p99' },
          ],
          true,
        ),
      },
      options: {
        plugins: header('Send → receive latency vs offered rate (ms)', sub, 'line'),
        scales: { x, y: logAxis('send → receive latency (ms, log scale)') },
      },
    },
  };

  const ack: LineSpec = {
    name: 'sweep-ack-latency',
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: {
        labels,
        datasets: [
          ...percentileLines(
            [
              { field: 'ackP50', name: 'ack p50' },
              { field: 'ackP99', name: 'ack p99' },
            ],
            true,
          ),
          reference('limit for "kept up" (ack p99 1 s)', rates.map(() => 1000)),
        ],
      },
      options: {
        plugins: header('Send → acknowledgement latency vs offered rate (ms)', sub, 'line'),
        scales: { x, y: logAxis('ack latency (ms, log scale)') },
      },
    },
  };

  const throughput = (name: string, field: SweepField, title: string, yTitle: string, withOffered: boolean): LineSpec => ({
    name,
    width: WIDTH,
    height: HEIGHT,
    config: {
      type: 'line',
      data: {
        labels,
        datasets: [
          ...systems.map((s) => line({ label: s, color: SYSTEM_COLOR[s], data: series(s, field), width: 2.5 })),
          ...(withOffered ? [reference('offered (keeping up)', rates)] : []),
        ],
      },
      options: {
        plugins: header(title, sub, 'line'),
        scales: { x, y: { type: 'linear', beginAtZero: true, title: axisTitle(yTitle) } },
      },
    },
  });

  return [
    latency,
    ack,
    throughput('sweep-acked', 'ackedPerSecond', 'Acknowledged messages/s vs offered rate', 'acknowledged (msg/s)', true),
    throughput('sweep-delivered', 'deliveredPerSecond', 'Delivered messages/s vs offered rate (each message × room members)', 'delivered (msg/s)', false),
    cpuChart(points, sub),
  ];
}

/** Bars in (offered rate, system) order, so the two systems at the same rate stand side by side. */
export function cpuCategories(points: readonly SweepPoint[]): SweepPoint[] {
  return offeredRates(points).flatMap((rate) => SYSTEMS.flatMap((s) => points.filter((p) => p.offered === rate && p.system === s)));
}

/**
 * The stacked components: the replicas that hold the sockets (gateway-N, baseline-N) are one
 * "socket servers" slice, so the stack has few enough slices for distinct colours.
 */
export function cpuByGroup(p: SweepPoint): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, ms] of Object.entries(p.cpuMsPer1kByComponent)) {
    const group = /^(gateway|baseline)-\d+$/.test(name) ? 'socket servers' : name;
    out[group] = Math.round(((out[group] ?? 0) + ms) * 10) / 10;
  }
  return out;
}

function cpuChart(points: readonly SweepPoint[], sub: string): BarSpec {
  const bars = cpuCategories(points);
  const grouped = bars.map(cpuByGroup);
  const components = [...new Set(grouped.flatMap((g) => Object.keys(g)))].sort((a, b) => (a === 'socket servers' ? -1 : b === 'socket servers' ? 1 : a.localeCompare(b)));
  return {
    name: 'sweep-cpu',
    width: Math.max(WIDTH, 90 * bars.length + 200),
    height: 560,
    config: {
      type: 'bar',
      data: {
        labels: bars.map((p) => [p.system, `${rate(p.offered)} msg/s`]),
        datasets: components.map((c, i) => ({
          label: c,
          data: grouped.map((g) => g[c] ?? null),
          backgroundColor: paletteColor(i),
          borderColor: '#ffffff',
          borderWidth: 1,
        })),
      },
      options: {
        plugins: header('CPU per 1,000 deliveries by component (ms, stacked)', sub, 'bar'),
        scales: {
          // Tick labels in the system's colour tie each bar to its system, as in the other charts.
          x: { stacked: true, ticks: { color: bars.map((p) => SYSTEM_COLOR[p.system]), font: { weight: 'bold' } }, title: axisTitle('system, offered rate') },
          y: { stacked: true, beginAtZero: true, title: axisTitle('CPU ms per 1,000 deliveries') },
        },
      },
    },
  };
}

// --- history -------------------------------------------------------------------------------------

const PAGES: readonly HistoryPageKind[] = ['latest', 'before', 'after'];

export interface HistoryLine {
  page: HistoryPageKind;
  connections: number;
  /** One value per room size (ascending); null where the case was skipped or not run. */
  values: (number | null)[];
}

/** One line per (page kind, connections) that has at least one measured case, over the room sizes. */
export function historyLines(cases: readonly HistoryCase[], field: 'requestsPerSecond' | 'p99'): { roomSizes: number[]; lines: HistoryLine[] } {
  const roomSizes = [...new Set(cases.map((c) => c.roomSize))].sort((a, b) => a - b);
  const connections = [...new Set(cases.map((c) => c.connections))].sort((a, b) => a - b);
  const lines: HistoryLine[] = [];
  for (const page of PAGES) {
    for (const conn of connections) {
      const measured = cases.filter((c) => c.page === page && c.connections === conn && c.skipped === undefined);
      if (measured.length === 0) continue;
      lines.push({ page, connections: conn, values: roomSizes.map((size) => measured.find((c) => c.roomSize === size)?.[field] ?? null) });
    }
  }
  return { roomSizes, lines };
}

export function historyCharts(r: HistoryResults): ChartSpec[] {
  const skipped = r.cases.filter((c) => c.skipped !== undefined).length;
  const rounds = r.rounds?.length ?? 1;
  const sub = `${r.config.limit} messages per page · ${r.config.secondsPerCase} s per case${rounds > 1 ? ` · medians of ${rounds} rounds` : ''}${skipped > 0 ? ` · ${skipped} case(s) skipped` : ''}`;
  const allConnections = [...new Set(r.cases.map((c) => c.connections))].sort((a, b) => a - b);
  const chart = (name: string, field: 'requestsPerSecond' | 'p99', title: string, yTitle: string): LineSpec => {
    const { roomSizes, lines } = historyLines(r.cases, field);
    return {
      name,
      width: WIDTH,
      height: HEIGHT,
      config: {
        type: 'line',
        data: {
          labels: roomSizes.map(formatCount),
          // Colour says the page kind, the dash the concurrency, so either can be followed across.
          datasets: lines.map((l) =>
            line({ label: `${l.page}, ${l.connections} conn.`, color: PAGE_COLOR[l.page], data: l.values, dash: dash(allConnections.indexOf(l.connections)) }),
          ),
        },
        options: {
          plugins: header(title, sub, 'line'),
          scales: { x: { title: axisTitle('messages in the room') }, y: { type: 'linear', beginAtZero: true, title: axisTitle(yTitle) } },
        },
      },
    };
  };
  return [
    chart('history-rps', 'requestsPerSecond', 'History reads: requests/s by room size (flat = does not grow with the room)', 'requests/s'),
    chart('history-p99', 'p99', 'History reads: p99 latency by room size (ms)', 'p99 latency (ms)'),
  ];
}

// --- connections ---------------------------------------------------------------------------------

export function connectionsCharts(r: ConnectionsResults): ChartSpec[] {
  const systems = SYSTEMS.filter((s) => r.steps.some((st) => st.system === s));
  // Only what fits a subtitle: how many each held, and whether it stopped on failures (the reasons
  // are in the summary and results.json).
  const sub = systems
    .map((s) => `${s}: held ${rate(r.outcome[s]?.held ?? 0)}${/failed/.test(r.outcome[s]?.stoppedBecause ?? '') ? ' (then connections failed)' : ''}`)
    .join(' · ');
  const points = (s: (typeof systems)[number], f: 'rssPerConnectionKiB' | 'connectP50' | 'connectP99') =>
    r.steps.filter((st) => st.system === s).sort((a, b) => a.connections - b.connections).map((st) => ({ x: st.connections, y: st[f] }));
  const x = { type: 'linear' as const, beginAtZero: true, title: axisTitle('connections held') };
  return [
    {
      name: 'connections-memory',
      width: WIDTH,
      height: HEIGHT,
      config: {
        type: 'line',
        data: { datasets: systems.map((s) => line({ label: s, color: SYSTEM_COLOR[s], data: points(s, 'rssPerConnectionKiB'), width: 2.5 })) },
        options: {
          plugins: header('Server memory per connection vs connections (KiB)', sub, 'line'),
          scales: { x, y: { type: 'linear', beginAtZero: true, title: axisTitle('RSS growth per connection (KiB)') } },
        },
      },
    },
    {
      name: 'connections-connect-latency',
      width: WIDTH,
      height: HEIGHT,
      config: {
        type: 'line',
        data: {
          datasets: systems.flatMap((s) => [
            line({ label: `${s} p50`, color: SYSTEM_COLOR[s], data: points(s, 'connectP50'), dash: dash(1) }),
            line({ label: `${s} p99`, color: SYSTEM_COLOR[s], data: points(s, 'connectP99'), width: 2.5 }),
          ]),
        },
        options: {
          plugins: header('Connect latency vs connections held (ms)', sub, 'line'),
          scales: { x, y: { type: 'linear', beginAtZero: true, title: axisTitle('time until connected (ms)') } },
        },
      },
    },
  ];
}

// --- join ----------------------------------------------------------------------------------------

export function joinCharts(r: JoinResults): ChartSpec[] {
  const cases = [...r.cases].sort((a, b) => a.roomSize - b.roomSize || a.behind - b.behind);
  const errors = cases.reduce((n, c) => n + Object.values(c.errors).reduce((a, b) => a + b, 0), 0);
  const t = r.traffic;
  const sub =
    `${r.config.joinsPerCase} joins per case · background traffic ${t.ackedPerSecond ?? '-'} acked msg/s, ack p99 ${t.ackP99 ?? '-'} ms` +
    (errors > 0 ? ` · ${errors} join error(s)` : '');
  const color = SYSTEM_COLOR.chatstream;
  return [
    {
      name: 'join-latency',
      width: WIDTH,
      height: HEIGHT,
      config: {
        type: 'bar',
        data: {
          labels: cases.map((c) => [`${formatCount(c.roomSize)} msgs`, `${rate(c.behind)} behind`]),
          datasets: [
            { label: 'p50', data: cases.map((c) => c.p50), backgroundColor: withAlpha(color, 0.4), borderColor: color, borderWidth: 1 },
            { label: 'p99', data: cases.map((c) => c.p99), backgroundColor: color, borderColor: color, borderWidth: 1 },
          ],
        },
        options: {
          plugins: header('Join latency by room size (ms)', sub, 'bar'),
          scales: { x: { title: axisTitle('messages in the room, messages to replay') }, y: { beginAtZero: true, title: axisTitle('join latency, request → reply (ms)') } },
        },
      },
    },
  ];
}

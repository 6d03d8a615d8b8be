import { chartsFor, cpuCategories, historyLines, logTickLabel, offeredRates, sweepSeries, type ChartSpec } from './chart-data';
import { formatCount, forLogAxis, SYSTEM_COLOR } from './chart-style';
import { parseResults } from './parse-results';
import { renderPng } from './render-png';
import type { ConnectionsResults, HistoryResults, JoinResults, SweepResults } from './results';
import { historyCase, sweepPoint, sweepRun } from './test-fixtures';

const header = { createdAt: '2025-01-01T00:00:00.000Z', host: { cpus: 2, cpuModel: null, memoryGiB: 24, loadavg: [0], node: 'v20' }, command: 'x', seconds: 1 };

const sweep = (over: Partial<SweepResults> = {}): SweepResults => ({
  scenario: 'sweep',
  ...header,
  config: { clients: 100, rooms: 10, rates: [500, 1000], rounds: 1, secondsPerPoint: 10 },
  runs: [],
  points: [
    sweepPoint({ system: 'baseline', offered: 1000, e2eP99: 40, cpuMsPer1kByComponent: { 'baseline-1': 5, redis: 1 } }),
    sweepPoint({ system: 'chatstream', offered: 1000, e2eP99: 20, cpuMsPer1kByComponent: { 'gateway-1': 3, kafka: 2 } }),
    sweepPoint({ system: 'chatstream', offered: 500, e2eP99: 0, cpuMsPer1kByComponent: { 'gateway-1': 1 } }),
  ],
  saturation: {
    chatstream: { keptUpTo: 1000, saturatedAt: null, maxDeliveredPerSecond: 1 },
    baseline: { keptUpTo: 1000, saturatedAt: null, maxDeliveredPerSecond: 1 },
  },
  ...over,
});

const byName = (specs: ChartSpec[], name: string): ChartSpec => {
  const s = specs.find((x) => x.name === name);
  if (!s) throw new Error(`no chart ${name} among ${specs.map((x) => x.name).join(', ')}`);
  return s;
};

describe('sweep charts', () => {
  it('share an x axis of the offered rates, ascending, and give a system null where it has no point', () => {
    const points = sweep().points;
    expect(offeredRates(points)).toEqual([500, 1000]);
    expect(sweepSeries(points, 'baseline', 'e2eP99')).toEqual([null, 40]);
    expect(sweepSeries(points, 'chatstream', 'e2eP99')).toEqual([0, 20]);
  });

  it('draw latency percentiles per system in the system colour, leaving 0 off the log axis', () => {
    const chart = byName(chartsFor(sweep()), 'sweep-latency');
    const datasets = chart.config.data.datasets;
    expect(datasets.map((d) => d.label)).toEqual(['chatstream p50', 'chatstream p95', 'chatstream p99', 'baseline p50', 'baseline p95', 'baseline p99']);
    const p99 = datasets.find((d) => d.label === 'chatstream p99')!;
    expect(p99.data).toEqual([null, 20]);
    expect(p99.borderColor).toBe(SYSTEM_COLOR.chatstream);
    expect(datasets.find((d) => d.label === 'baseline p99')!.borderColor).toBe(SYSTEM_COLOR.baseline);
  });

  it('mark the 1 s ack p99 limit and the offered rate as reference lines', () => {
    const charts = chartsFor(sweep());
    expect(byName(charts, 'sweep-ack-latency').config.data.datasets.at(-1)!.data).toEqual([1000, 1000]);
    expect(byName(charts, 'sweep-acked').config.data.datasets.at(-1)!.data).toEqual([500, 1000]);
  });

  it('stack CPU by component, the socket-holding replicas as one slice, the two systems side by side at each rate', () => {
    const points = sweep().points;
    expect(cpuCategories(points).map((p) => `${p.system}@${p.offered}`)).toEqual(['chatstream@500', 'chatstream@1000', 'baseline@1000']);
    const cpu = byName(chartsFor(sweep()), 'sweep-cpu');
    expect(cpu.config.type).toBe('bar');
    expect(Object.fromEntries(cpu.config.data.datasets.map((d) => [d.label, d.data]))).toEqual({
      'socket servers': [1, 3, 5],
      kafka: [null, 2, null],
      redis: [null, null, 1],
    });
  });

  it('aggregate the runs when the file has no points yet', () => {
    const charts = chartsFor(sweep({ points: [], runs: [sweepRun({ offered: 250, result: { e2eP99: 7 } })] }));
    expect(byName(charts, 'sweep-latency').config.data.labels).toEqual(['250']);
    expect(byName(charts, 'sweep-latency').config.data.datasets.find((d) => d.label === 'chatstream p99')!.data).toEqual([7]);
  });
});

describe('history charts', () => {
  it('draw one line per (page, connections) over the room sizes, with gaps for skipped cases', () => {
    const { roomSizes, lines } = historyLines(
      [
        historyCase({ page: 'before', roomSize: 1_000_000, connections: 10, p99: 30 }),
        historyCase({ page: 'latest', roomSize: 1000, connections: 10, p99: 10 }),
        historyCase({ page: 'latest', roomSize: 1_000_000, connections: 10, p99: 12, skipped: 'too slow' }),
        historyCase({ page: 'before', roomSize: 1000, connections: 10, p99: 20 }),
        historyCase({ page: 'after', roomSize: 1000, connections: 50, p99: null, skipped: 'too slow' }),
      ],
      'p99',
    );
    expect(roomSizes).toEqual([1000, 1_000_000]);
    expect(lines).toEqual([
      { page: 'latest', connections: 10, values: [10, null] },
      { page: 'before', connections: 10, values: [20, 30] },
    ]);
  });

  it('make a requests/s chart and a p99 chart labelled by room size', () => {
    const results: HistoryResults = {
      scenario: 'history',
      ...header,
      config: { roomSizes: [1000, 10_000], connections: [10], secondsPerCase: 5, limit: 50 },
      seedSeconds: {},
      cases: [historyCase({ roomSize: 1000 }), historyCase({ roomSize: 10_000, requestsPerSecond: 900 })],
      growth: [],
    };
    const charts = chartsFor(results);
    expect(charts.map((c) => c.name)).toEqual(['history-rps', 'history-p99']);
    expect(charts[0]!.config.data.labels).toEqual(['1k', '10k']);
    expect(charts[0]!.config.data.datasets[0]!.data).toEqual([1000, 900]);
  });
});

describe('connections charts', () => {
  it('plot memory per connection and connect latency against connections held, one line per system', () => {
    const step = { serverRssMiB: 100, nginxRssMiB: 10, heapPerConnectionKiB: null, serverHeapMiB: null, eventLoopLagMs: null, connectP50: 5, connectP99: 9, errors: 0 };
    const results: ConnectionsResults = {
      scenario: 'connections',
      ...header,
      config: { target: 2000, step: 1000 },
      steps: [
        { ...step, system: 'chatstream', connections: 2000, rssPerConnectionKiB: 40 },
        { ...step, system: 'chatstream', connections: 1000, rssPerConnectionKiB: 42 },
        { ...step, system: 'baseline', connections: 1000, rssPerConnectionKiB: 60 },
      ],
      outcome: {
        chatstream: { held: 2000, stoppedBecause: 'target reached', healthyAtEnd: true, settled: null },
        baseline: { held: 1000, stoppedBecause: 'errors', healthyAtEnd: true, settled: null },
      },
    };
    const [memory, connect] = chartsFor(results);
    expect(memory!.name).toBe('connections-memory');
    expect(memory!.config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['chatstream', [{ x: 1000, y: 42 }, { x: 2000, y: 40 }]],
      ['baseline', [{ x: 1000, y: 60 }]],
    ]);
    expect(connect!.config.data.datasets.map((d) => d.label)).toEqual(['chatstream p50', 'chatstream p99', 'baseline p50', 'baseline p99']);
  });
});

describe('join chart', () => {
  it('shows p50 and p99 bars per room size, smallest room first', () => {
    const c = { behind: 100, joins: 10, p95: 1, max: 1, errors: {} };
    const results: JoinResults = {
      scenario: 'join',
      ...header,
      config: { roomSizes: [1000, 100], joinsPerCase: 10, trafficPerSecond: 100 },
      traffic: { ackedPerSecond: 100, ackP99: 5, failed: 0 },
      cases: [
        { ...c, roomSize: 1000, p50: 3, p99: 8 },
        { ...c, roomSize: 100, p50: 2, p99: 6 },
      ],
    };
    const [chart] = chartsFor(results);
    expect(chart!.config.type).toBe('bar');
    expect(chart!.config.data.labels).toEqual([
      ['100 msgs', '100 behind'],
      ['1k msgs', '100 behind'],
    ]);
    expect(chart!.config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['p50', [2, 3]],
      ['p99', [6, 8]],
    ]);
  });
});

describe('chart labels', () => {
  it('write counts as people say them', () => {
    expect([999, 1000, 2500, 100_000, 1_000_000, 1_500_000].map(formatCount)).toEqual(['999', '1k', '2.5k', '100k', '1M', '1.5M']);
  });

  it('label a log axis only at 1, 2 and 5 of each decade', () => {
    expect([1, 2, 3, 5, 8, 10, 20, 50, 300, 1000].map(logTickLabel)).toEqual(['1', '2', '', '5', '', '10', '20', '50', '', '1,000']);
    expect(logTickLabel(0)).toBe('');
  });

  it('keep zero and missing values off a log axis', () => {
    expect([0, -1, null, 0.5].map(forLogAxis)).toEqual([null, null, null, 0.5]);
  });
});

describe('parseResults', () => {
  it('accepts a results file of a known scenario', () => {
    expect(parseResults(JSON.stringify(sweep())).scenario).toBe('sweep');
  });

  it('rejects other JSON, naming the file', () => {
    expect(() => parseResults('{"mode":"chatstream"}', 'r.json')).toThrow(/r\.json: not a benchmark results file/);
    expect(() => parseResults('{"scenario":"join","config":{}}', 'j.json')).toThrow(/j\.json: join results without a "cases" array/);
  });
});

describe('renderPng', () => {
  it('renders a chart to PNG bytes of the requested size', () => {
    const png = renderPng({ ...byName(chartsFor(sweep()), 'sweep-latency'), width: 300, height: 200 });
    expect(png.length).toBeGreaterThan(0);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height, big-endian, at bytes 16..23
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([300, 200]);
  });
});

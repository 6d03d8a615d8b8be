import { historyGrowth, sweepPoints, sweepSaturation } from './aggregate';
import { historyCase, sweepPoint, sweepRun } from './test-fixtures';

describe('sweepPoints', () => {
  it('makes one point per (system, offered rate), chatstream first, rates ascending', () => {
    const points = sweepPoints([
      sweepRun({ system: 'baseline', offered: 500 }),
      sweepRun({ system: 'chatstream', offered: 2000 }),
      sweepRun({ system: 'chatstream', offered: 500 }),
      sweepRun({ system: 'chatstream', offered: 500, round: 2 }),
    ]);
    expect(points.map((p) => [p.system, p.offered, p.rounds])).toEqual([
      ['chatstream', 500, 2],
      ['chatstream', 2000, 1],
      ['baseline', 500, 1],
    ]);
  });

  it('takes the median over the rounds of rates and latencies, skipping rounds where one was not measured', () => {
    const [p] = sweepPoints([
      sweepRun({ round: 1, result: { ackedPerSecond: 900, e2eP99: 10, ackP99: null } }),
      sweepRun({ round: 2, result: { ackedPerSecond: 1000, e2eP99: 30, ackP99: 7 } }),
      sweepRun({ round: 3, result: { ackedPerSecond: 950, e2eP99: 20, ackP99: 9 } }),
    ]);
    expect(p!.ackedPerSecond).toBe(950);
    expect(p!.e2eP99).toBe(20);
    expect(p!.ackP99).toBe(8);
  });

  it('sums the correctness counters over the rounds so one bad round shows, counting a missing seq check as 0', () => {
    const [p] = sweepPoints([
      sweepRun({ round: 1, result: { lost: 2, duplicates: 1, outOfOrder: null, orderMismatches: 0, failed: 3 } }),
      sweepRun({ round: 2, result: { lost: 0, duplicates: 0, outOfOrder: 4, orderMismatches: 1, failed: 0 } }),
      sweepRun({ round: 3 }),
    ]);
    expect(p).toMatchObject({ lost: 2, duplicates: 1, outOfOrder: 4, orderMismatches: 1, failed: 3 });
  });

  it('turns CPU seconds into ms per 1,000 deliveries per run, then takes the median per component and in total', () => {
    const [p] = sweepPoints([
      // 10,000 deliveries: 2 s → 200 ms per 1k, 1 s → 100 ms per 1k
      sweepRun({ round: 1, cpuSeconds: { 'gateway-1': 2, kafka: 1 }, result: { delivered: 10_000 } }),
      // 20,000 deliveries: 2 s → 100 ms per 1k, 3 s → 150 ms per 1k
      sweepRun({ round: 2, cpuSeconds: { 'gateway-1': 2, kafka: 3 }, result: { delivered: 20_000 } }),
    ]);
    expect(p!.cpuMsPer1kByComponent).toEqual({ 'gateway-1': 150, kafka: 125 });
    // totals per run: 300 and 250
    expect(p!.cpuMsPer1kTotal).toBe(275);
  });

  it('leaves a component out of a round it was not measured in, and CPU per delivery null when nothing was delivered', () => {
    const [p] = sweepPoints([
      sweepRun({ round: 1, cpuSeconds: { store: 1 }, result: { delivered: 10_000 } }),
      sweepRun({ round: 2, cpuSeconds: { store: 5, redis: 1 }, result: { delivered: 0 } }),
    ]);
    expect(p!.cpuMsPer1kByComponent).toEqual({ store: 100 });
    expect(p!.cpuMsPer1kTotal).toBe(100);
  });
});

describe('sweepSaturation', () => {
  it('reports the highest rate kept up with and the first one missed, per system', () => {
    const s = sweepSaturation([
      sweepPoint({ offered: 1000, ackedPerSecond: 1000, ackP99: 10, deliveredPerSecond: 10_000 }),
      sweepPoint({ offered: 2000, ackedPerSecond: 1900, ackP99: 50, deliveredPerSecond: 19_000 }),
      sweepPoint({ offered: 4000, ackedPerSecond: 2500, ackP99: 80, deliveredPerSecond: 25_000 }),
      sweepPoint({ system: 'baseline', offered: 1000, ackedPerSecond: 1000, ackP99: 20, deliveredPerSecond: 9_000 }),
    ]);
    expect(s.chatstream).toEqual({ keptUpTo: 2000, saturatedAt: 4000, maxDeliveredPerSecond: 25_000 });
    expect(s.baseline).toEqual({ keptUpTo: 1000, saturatedAt: null, maxDeliveredPerSecond: 9_000 });
  });

  it('counts an ack p99 over 1 s as not keeping up even at the full rate', () => {
    const s = sweepSaturation([
      sweepPoint({ offered: 1000, ackedPerSecond: 1000, ackP99: 999 }),
      sweepPoint({ offered: 2000, ackedPerSecond: 2000, ackP99: 1001 }),
    ]);
    expect(s.chatstream).toMatchObject({ keptUpTo: 1000, saturatedAt: 2000 });
  });

  it('ignores a rate kept up with above the first miss, and a point without figures is a miss', () => {
    const s = sweepSaturation([
      sweepPoint({ offered: 1000, ackedPerSecond: null, ackP99: null }),
      sweepPoint({ offered: 2000, ackedPerSecond: 2000, ackP99: 5 }),
    ]);
    expect(s.chatstream).toMatchObject({ keptUpTo: null, saturatedAt: 1000 });
  });

  it('gives nulls for a system without points', () => {
    expect(sweepSaturation([sweepPoint()]).baseline).toEqual({ keptUpTo: null, saturatedAt: null, maxDeliveredPerSecond: null });
  });
});

describe('historyGrowth', () => {
  it('compares the largest room with the smallest per (page, connections), pages in latest/before/after order', () => {
    const growth = historyGrowth([
      historyCase({ page: 'before', roomSize: 1000, connections: 10, p50: 4, requestsPerSecond: 2000 }),
      historyCase({ page: 'before', roomSize: 1_000_000, connections: 10, p50: 5, requestsPerSecond: 1800 }),
      historyCase({ page: 'before', roomSize: 100_000, connections: 10, p50: 100, requestsPerSecond: 1 }),
      historyCase({ page: 'latest', roomSize: 1000, connections: 50, p50: 10, requestsPerSecond: 3000 }),
      historyCase({ page: 'latest', roomSize: 1_000_000, connections: 50, p50: 11, requestsPerSecond: 3000 }),
      historyCase({ page: 'latest', roomSize: 1000, connections: 10, p50: 2, requestsPerSecond: 1000 }),
      historyCase({ page: 'latest', roomSize: 1_000_000, connections: 10, p50: 3, requestsPerSecond: 900 }),
    ]);
    expect(growth).toEqual([
      { page: 'latest', connections: 10, p50Ratio: 1.5, rpsRatio: 0.9 },
      { page: 'latest', connections: 50, p50Ratio: 1.1, rpsRatio: 1 },
      { page: 'before', connections: 10, p50Ratio: 1.25, rpsRatio: 0.9 },
    ]);
  });

  it('leaves skipped cases out, and gives null ratios when only one room size was measured', () => {
    const growth = historyGrowth([
      historyCase({ page: 'after', roomSize: 1000, connections: 100, p50: 4 }),
      historyCase({ page: 'after', roomSize: 1_000_000, connections: 100, p50: null, requestsPerSecond: null, skipped: 'too slow at 50' }),
    ]);
    expect(growth).toEqual([{ page: 'after', connections: 100, p50Ratio: null, rpsRatio: null }]);
  });

  it('gives a null ratio when a figure is missing on either side', () => {
    const growth = historyGrowth([
      historyCase({ roomSize: 1000, p50: null, requestsPerSecond: 100 }),
      historyCase({ roomSize: 2000, p50: 3, requestsPerSecond: 50 }),
    ]);
    expect(growth).toEqual([{ page: 'latest', connections: 10, p50Ratio: null, rpsRatio: 0.5 }]);
  });
});

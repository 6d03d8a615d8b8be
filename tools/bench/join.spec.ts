import { joinSummary, medianCases } from './join';
import type { JoinCase, JoinResults } from './results';

const row = (roomSize: number, behind: number, p99: number, errors: Record<string, number> = {}): JoinCase => ({ roomSize, behind, joins: 300, p50: p99 / 10, p95: p99 / 2, p99, max: p99 * 2, errors });

describe('join bench rounds', () => {
  const rounds = [
    [row(1000, 10, 27), row(1000, 1000, 45)],
    [row(1000, 10, 99, { timeout: 1 }), row(1000, 1000, 50)],
    [row(1000, 10, 54), row(1000, 1000, 178, { timeout: 2 })],
  ];

  it('gives each case the median of its rounds, with joins and errors summed', () => {
    expect(medianCases(rounds)).toEqual([
      { roomSize: 1000, behind: 10, joins: 900, p50: 5.4, p95: 27, p99: 54, max: 108, errors: { timeout: 1 } },
      { roomSize: 1000, behind: 1000, joins: 900, p50: 5, p95: 25, p99: 50, max: 100, errors: { timeout: 2 } },
    ]);
  });

  it('shows every round\'s p99 beside the medians', () => {
    const results = {
      config: { roomSizes: [1000], joinsPerCase: 300, trafficPerSecond: 500, joinsPerSecond: 20, warmupSeconds: 30, rounds: 3 },
      traffic: { ackedPerSecond: 500, ackP99: 40, failed: 0 },
      cases: medianCases(rounds),
      rounds,
    } as JoinResults;
    const summary = joinSummary(results);
    expect(summary).toContain('medians of 3 round(s)');
    expect(summary).toMatch(/last - 10 .* 54 .* 27 \/ 99 \/ 54/);
    expect(summary).toMatch(/last - 1000 .* 50 .* 45 \/ 50 \/ 178/);
  });
});

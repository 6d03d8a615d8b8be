import { historySummary, medianHistoryCases } from './history';
import type { HistoryResults } from './results';
import { historyCase } from './test-fixtures';

describe('history bench rounds', () => {
  // No round is the median of all its cases, so a summary of one round cannot pass.
  const rounds = [
    [historyCase({ connections: 50, requestsPerSecond: 2901, p50: 15, p99: 56 }), historyCase({ page: 'before', requestsPerSecond: 1100, p99: 7 })],
    [historyCase({ connections: 50, requestsPerSecond: 2708, p50: 17, p99: 45 }), historyCase({ page: 'before', requestsPerSecond: 900, p99: 30, errors: 1 })],
    [historyCase({ connections: 50, requestsPerSecond: 2433, p50: 19, p99: 39, non2xx: 2 }), historyCase({ page: 'before', requestsPerSecond: 1000, p99: 9 })],
  ];

  it('gives each case the median of its rounds, with requests and errors summed', () => {
    const [latest, before] = medianHistoryCases(rounds);
    expect(latest).toMatchObject({ page: 'latest', connections: 50, requestsPerSecond: 2708, p50: 17, p99: 45, seconds: 30, requests: 30000, non2xx: 2, errors: 0 });
    expect(before).toMatchObject({ page: 'before', requestsPerSecond: 1000, p99: 9, errors: 1 });
  });

  it('keeps a case skipped in any round skipped, with its reason', () => {
    const skipped = historyCase({ requestsPerSecond: null, p50: null, p99: null, skipped: 'p50 1,200 ms at 10 connection(s)' });
    const [c] = medianHistoryCases([[historyCase()], [skipped], [historyCase()]]);
    expect(c).toMatchObject({ skipped: 'p50 1,200 ms at 10 connection(s)', requestsPerSecond: null });
  });

  it('shows every round\'s req/s and p99 beside the medians', () => {
    const results = { config: { roomSizes: [1000], connections: [10, 50], secondsPerCase: 10, limit: 50, rounds: 3 }, cases: medianHistoryCases(rounds), rounds, growth: [] } as unknown as HistoryResults;
    const summary = historySummary(results);
    expect(summary).toContain('medians of 3 round(s)');
    expect(summary).toMatch(/latest, 50 conn .* 2,708 .* 45 .* 2,901 \/ 2,708 \/ 2,433 .* 56 \/ 45 \/ 39/);
  });
});

import { retryDelay } from './backoff';

describe('retryDelay', () => {
  const noJitter = { initialMs: 200, maxMs: 5_000, jitter: 0 };

  it('grows exponentially up to its cap', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => retryDelay(n, undefined, noJitter))).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
  });

  it('never retries before the server said (retryAfterMs), even past its own cap', () => {
    expect(retryDelay(0, 1_000, noJitter)).toBe(1_000);
    expect(retryDelay(0, 60_000, noJitter)).toBe(60_000);
    expect(retryDelay(6, 1_000, noJitter)).toBe(5_000);
  });

  it('spreads waits down by the jitter share', () => {
    expect(retryDelay(2, undefined, { ...noJitter, jitter: 0.5, random: () => 0.999999 })).toBe(400);
    expect(retryDelay(2, undefined, { ...noJitter, jitter: 0.5, random: () => 0 })).toBe(800);
  });
});

import { median, percentile, ratio, round1, sum } from './stats';

describe('percentile (nearest rank)', () => {
  it('is null for an empty sample', () => {
    expect(percentile([], 50)).toBeNull();
  });

  it('picks the value at the nearest rank of an unsorted sample', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 100)).toBe(10);
  });

  it('gives the smallest value for p 0 and the only value of a one-element sample', () => {
    expect(percentile([3, 1, 2], 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    percentile(xs, 50);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('median', () => {
  it('is the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('skips nulls and non-finite values, and is null when nothing is left', () => {
    expect(median([null, 7, null, 1, NaN, 4])).toBe(4);
    expect(median([null, null])).toBeNull();
    expect(median([])).toBeNull();
  });
});

describe('ratio', () => {
  it('divides and rounds to 2 decimals', () => {
    expect(ratio(2, 3)).toBe(0.67);
    expect(ratio(10, 4)).toBe(2.5);
  });

  it('is null when either side is missing or the divisor is 0', () => {
    expect(ratio(null, 3)).toBeNull();
    expect(ratio(3, null)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(Infinity, 2)).toBeNull();
  });
});

describe('round1', () => {
  it('rounds to one decimal and keeps null for missing or non-finite values', () => {
    expect(round1(1.26)).toBe(1.3);
    expect(round1(null)).toBeNull();
    expect(round1(NaN)).toBeNull();
  });
});

describe('sum', () => {
  it('adds up, 0 for nothing', () => {
    expect(sum([1, 2, 3.5])).toBe(6.5);
    expect(sum([])).toBe(0);
  });
});

import { SendRate } from './send-rate';

describe('SendRate', () => {
  it('allows a burst of twice the rate, then one send per 1/rate seconds', () => {
    const sut = new SendRate(10, 0);
    const burst = Array.from({ length: 25 }, () => sut.take(0));
    expect(burst.filter((w) => w === 0)).toHaveLength(20);
    expect(burst.at(-1)).toBe(100);
    expect(sut.take(100)).toBe(0);
    expect(sut.take(100)).toBeGreaterThan(0);
  });
});

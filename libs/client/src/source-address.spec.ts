import { SOURCE_ADDRESSES, sourceAddress } from './source-address';

describe('sourceAddress', () => {
  it('gives each n its own /24 of 127.0.0.0/8, never .0 or .255 in the third octet', () => {
    expect([1, 2, 254, 255, 508, 509].map(sourceAddress)).toEqual(['127.0.1.1', '127.0.2.1', '127.0.254.1', '127.1.1.1', '127.1.254.1', '127.2.1.1']);
    expect(sourceAddress(SOURCE_ADDRESSES)).toBe('127.255.254.1');
    const subnets = new Set(Array.from({ length: 2_000 }, (_, i) => sourceAddress(i + 1).split('.').slice(0, 3).join('.')));
    expect(subnets.size).toBe(2_000);
  });

  it('refuses a number outside 1..SOURCE_ADDRESSES', () => {
    for (const n of [0, -1, 1.5, SOURCE_ADDRESSES + 1, Number.NaN]) expect(() => sourceAddress(n)).toThrow(RangeError);
  });
});

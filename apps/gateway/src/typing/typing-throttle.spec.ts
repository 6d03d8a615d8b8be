import { TypingThrottle } from './typing-throttle';

describe('TypingThrottle', () => {
  it('relays the first indicator and at most one refresh per second', () => {
    const sut = new TypingThrottle();
    const admitted = Array.from({ length: 100 }, (_, i) => sut.admit('u|r', true, i * 20)).filter(Boolean);
    expect(admitted).toHaveLength(2); // t=0 and t=1000 over two seconds
  });

  it('lets a stop through quickly, but not a flood of changes', () => {
    const sut = new TypingThrottle();
    expect(sut.admit('u|r', true, 0)).toBe(true);
    expect(sut.admit('u|r', false, 300)).toBe(true);
    let changes = 0;
    for (let t = 301; t < 1300; t += 10) if (sut.admit('u|r', t % 20 === 1, t)) changes++;
    expect(changes).toBeLessThanOrEqual(4);
  });

  it('throttles each user and room on its own', () => {
    const sut = new TypingThrottle();
    expect(sut.admit('a|r', true, 0)).toBe(true);
    expect(sut.admit('b|r', true, 0)).toBe(true);
    expect(sut.admit('a|s', true, 0)).toBe(true);
  });
});

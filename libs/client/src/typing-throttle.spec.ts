import { TypingThrottle } from './typing-throttle';

describe('TypingThrottle', () => {
  it('lets an unchanged typing: true through at most once a second per room', () => {
    const sut = new TypingThrottle(1_000);
    const sent = [0, 100, 500, 999, 1_000, 1_500, 2_100].filter((t) => sut.admit('room1', true, t));
    expect(sent).toEqual([0, 1_000, 2_100]);
  });

  it('lets a change through at once, and false only after a true', () => {
    const sut = new TypingThrottle(1_000);
    expect(sut.admit('room1', false, 0)).toBe(false);
    expect(sut.admit('room1', true, 10)).toBe(true);
    expect(sut.admit('room1', false, 20)).toBe(true);
    expect(sut.admit('room1', false, 30)).toBe(false);
    expect(sut.admit('room1', true, 40)).toBe(true);
  });

  it('keeps each room apart, and forgets on a new connection', () => {
    const sut = new TypingThrottle(1_000);
    expect(sut.admit('room1', true, 0)).toBe(true);
    expect(sut.admit('room2', true, 1)).toBe(true);
    expect(sut.admit('room1', true, 2)).toBe(false);
    sut.forget();
    expect(sut.admit('room1', true, 3)).toBe(true);
  });
});

import { LogPositions } from './log-positions';

describe('LogPositions', () => {
  it('answers at once for an offset already handled', async () => {
    const sut = new LogPositions();
    sut.set(3, 10n);
    await expect(sut.reached(3, 10n, 1_000)).resolves.toBe(true);
  });

  it('wakes a waiter when a later batch handles its offset, and only then', async () => {
    const sut = new LogPositions();
    sut.set(0, 4n);
    let reached: boolean | undefined;
    void sut.reached(0, 6n, 1_000).then((r) => (reached = r));
    sut.set(0, 5n);
    sut.release(0);
    await Promise.resolve();
    expect(reached).toBeUndefined();
    sut.set(0, 7n);
    sut.release(0);
    await Promise.resolve();
    expect(reached).toBe(true);
  });

  it('answers false at the deadline when the stream does not get there', async () => {
    jest.useFakeTimers();
    try {
      const sut = new LogPositions();
      const reached = sut.reached(1, 0n, 500);
      jest.advanceTimersByTime(500);
      await expect(reached).resolves.toBe(false);
      sut.set(1, 0n);
      sut.release(1); // the dropped waiter is not woken twice
    } finally {
      jest.useRealTimers();
    }
  });
});

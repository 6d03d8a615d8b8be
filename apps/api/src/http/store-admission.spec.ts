import { ChatError } from '@app/contracts';
import { StoreAdmission } from './store-admission';

/** A read that finishes when the test says so. */
function heldRead(): { promise: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { promise: async () => (await done, 'read'), finish };
}

describe('StoreAdmission', () => {
  it('runs up to the concurrency at once and queues the next ones in order', async () => {
    const sut = new StoreAdmission(2, 10, 5_000);
    const reads = [heldRead(), heldRead(), heldRead()];
    const order: number[] = [];
    const results = reads.map((r, i) => sut.run(r.promise).then(() => order.push(i)));
    await Promise.resolve();
    expect(sut.inFlight).toBe(2);
    expect(sut.queued).toBe(1);
    reads[1]!.finish();
    reads[2]!.finish();
    reads[0]!.finish();
    await Promise.all(results);
    expect(order).toEqual([1, 0, 2]);
    expect(sut.inFlight).toBe(0);
  });

  it('sheds a request at once with unavailable and retryAfterMs when the queue is full', async () => {
    const sut = new StoreAdmission(1, 1, 5_000, 750);
    const held = heldRead();
    const first = sut.run(held.promise);
    const second = sut.run(held.promise);
    const shed = sut.run(held.promise);
    await expect(shed).rejects.toMatchObject({ code: 'unavailable', retryAfterMs: 750 });
    held.finish();
    await expect(Promise.all([first, second])).resolves.toEqual(['read', 'read']);
  });

  it('gives up on a queued request after the longest wait, without losing the slot', async () => {
    jest.useFakeTimers();
    try {
      const sut = new StoreAdmission(1, 5, 100);
      const held = heldRead();
      const first = sut.run(held.promise);
      const waiting = sut.run(async () => 'late');
      jest.advanceTimersByTime(101);
      await expect(waiting).rejects.toBeInstanceOf(ChatError);
      expect(sut.queued).toBe(0);
      held.finish();
      await first;
      expect(sut.inFlight).toBe(0);
      await expect(sut.run(async () => 'again')).resolves.toBe('again');
    } finally {
      jest.useRealTimers();
    }
  });

  it('frees the slot when a read fails', async () => {
    const sut = new StoreAdmission(1, 0, 100);
    await expect(sut.run(async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    await expect(sut.run(async () => 'ok')).resolves.toBe('ok');
  });
});

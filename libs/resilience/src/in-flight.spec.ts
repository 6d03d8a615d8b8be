import { InFlight } from './in-flight';

describe('InFlight', () => {
  it('lets a caller wait for the call under way for its key, and only that key', async () => {
    const sut = new InFlight();
    const order: string[] = [];
    let finish!: () => void;
    const running = sut.run('room-a', () => new Promise<void>((r) => (finish = r)).then(() => void order.push('read a')));
    const waiting = sut.underWay('room-a')!.then(() => order.push('waiter a'));
    expect(sut.underWay('room-b')).toBeUndefined();
    order.push('waiter b');
    finish();
    await Promise.all([running, waiting]);
    expect(order).toEqual(['waiter b', 'read a', 'waiter a']);
  });

  it('does not pass a failed call on to its waiters, and forgets it', async () => {
    const sut = new InFlight();
    const failing = sut.run('k', () => Promise.reject(new Error('store down')));
    await expect(sut.underWay('k')).resolves.toBeUndefined();
    await expect(failing).rejects.toThrow('store down');
    await expect(sut.run('k', async () => undefined)).resolves.toBeUndefined();
  });
});

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

  it('shares one call and its answer among the callers that arrive while it runs, then starts anew', async () => {
    const sut = new InFlight();
    let calls = 0;
    let finish!: (answer: string) => void;
    const call = () => {
      calls++;
      return new Promise<string>((r) => (finish = r));
    };
    const first = sut.share('room-a', call);
    const second = sut.share('room-a', call);
    finish('doc 1');
    expect(await Promise.all([first, second])).toEqual(['doc 1', 'doc 1']);
    expect(calls).toBe(1);
    const third = sut.share('room-a', call);
    finish('doc 2');
    expect(await third).toBe('doc 2');
    expect(calls).toBe(2);
  });

  it('passes a shared call\'s failure to every caller that shares it', async () => {
    const sut = new InFlight();
    const call = () => Promise.reject(new Error('store down'));
    await expect(Promise.all([sut.share('k', call), sut.share('k', call)])).rejects.toThrow('store down');
    await expect(sut.share('k', async () => 'found')).resolves.toBe('found');
  });
});

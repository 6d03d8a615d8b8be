import { ChatError } from '@app/contracts';
import { callDependency } from './dependency-call';

describe('callDependency', () => {
  it('answers what the dependency answered', async () => {
    await expect(callDependency('mongo', async () => 42)).resolves.toBe(42);
  });

  it('turns a failure into unavailable with retryAfterMs', async () => {
    const sut = callDependency('redis', async () => Promise.reject(new Error('ECONNREFUSED')), { retryAfterMs: 500 });
    await expect(sut).rejects.toMatchObject({ code: 'unavailable', retryAfterMs: 500 });
  });

  it('answers unavailable at the deadline when the dependency hangs, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    const sut = callDependency('kafka', (s) => ((signal = s), new Promise<never>(() => undefined)), { timeoutMs: 50 });
    await expect(sut).rejects.toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(signal?.aborted).toBe(true);
  });

  it('lets a protocol error of the operation itself through', async () => {
    const sut = callDependency('mongo', async () => Promise.reject(new ChatError('not_found', 'no such room')));
    await expect(sut).rejects.toMatchObject({ code: 'not_found', message: 'no such room' });
  });

  it('leaves the time limit to an operation that keeps its own, and still maps its failure', async () => {
    let signal: AbortSignal | undefined;
    const late = callDependency('kafka', (s) => ((signal = s), new Promise((r) => setTimeout(() => r('late but answered'), 80))), { timeoutMs: 20, limitedByOperation: true });
    await expect(late).resolves.toBe('late but answered');
    expect(signal?.aborted).toBe(false);
    const failed = callDependency('kafka', async () => Promise.reject(new Error('no answer within 20 ms')), { timeoutMs: 20, limitedByOperation: true });
    await expect(failed).rejects.toMatchObject({ code: 'unavailable' });
  });
});

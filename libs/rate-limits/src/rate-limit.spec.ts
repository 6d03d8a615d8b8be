import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimit, rateLimitedError, type PointCounter } from './rate-limit';

const OPTIONS = { name: 'roomCreate', what: 'rooms created', timeoutMs: 50 };

/** A stub of the Redis counter (no server): answers the way it is told. */
const stubRedis = (answer: () => Promise<RateLimiterRes>): PointCounter & { calls: number } => {
  const stub = { calls: 0, consume: () => (stub.calls++, answer()) };
  return stub;
};
const allowing = () => stubRedis(async () => new RateLimiterRes(4, 60_000, 1, true));
// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- how rate-limiter-flexible refuses: a RateLimiterRes
const refusing = (msBeforeNext: number) => stubRedis(() => Promise.reject(new RateLimiterRes(0, msBeforeNext, 11, false)));
const failing = () => stubRedis(() => Promise.reject(new Error('Redis connection is not ready')));
const hanging = () => stubRedis(() => new Promise<never>(() => undefined));

function recorder() {
  const seen: string[] = [];
  return { seen, observer: { refused: (l: string) => seen.push(`refused ${l}`), countedLocally: (l: string) => seen.push(`local ${l}`) } };
}

describe('RateLimit (stub Redis counter)', () => {
  it('lets a request through while the shared count is under the limit', async () => {
    const { seen, observer } = recorder();
    const sut = new RateLimit(allowing(), failing(), OPTIONS, observer);
    await expect(sut.take('u_1')).resolves.toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('answers rate_limited with retryAfterMs until the window ends, rounded up to whole ms', async () => {
    const { seen, observer } = recorder();
    const sut = new RateLimit(refusing(1_234.2), failing(), OPTIONS, observer);
    await expect(sut.take('u_1')).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 1_235, message: 'too many rooms created; retry in 2 s' });
    expect(seen).toEqual(['refused roomCreate']);
  });

  it('decides from the in-memory count when Redis fails, and lets the request go on', async () => {
    const { seen, observer } = recorder();
    const local = allowing();
    const sut = new RateLimit(failing(), local, OPTIONS, observer);
    await expect(sut.take('u_1')).resolves.toBeUndefined();
    expect(local.calls).toBe(1);
    expect(seen).toEqual(['local roomCreate']);
  });

  it('does not wait for a Redis that does not answer longer than its bound', async () => {
    const sut = new RateLimit(hanging(), allowing(), OPTIONS);
    const started = Date.now();
    await expect(sut.take('u_1')).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('still refuses a flood from memory while Redis is down (the insurance limiter)', async () => {
    const sut = new RateLimit(failing(), refusing(800), OPTIONS);
    await expect(sut.take('u_1')).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 800 });
  });

  it('fails open if even the in-memory count fails', async () => {
    const sut = new RateLimit(failing(), failing(), OPTIONS);
    await expect(sut.take('u_1')).resolves.toBeUndefined();
  });

  it('allows the points of a window, refuses the next one, and allows again once the window ended (in-memory limiter as Redis)', async () => {
    const window = { points: 2, duration: 1 };
    const sut = new RateLimit(new RateLimiterMemory(window), new RateLimiterMemory(window), OPTIONS);
    await sut.take('u_1');
    await sut.take('u_1');
    await sut.take('u_2');
    const refusal = await sut.take('u_1').then(() => undefined, (e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    const { retryAfterMs } = refusal as { retryAfterMs: number };
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, retryAfterMs + 20));
    await expect(sut.take('u_1')).resolves.toBeUndefined();
  });
});

describe('rateLimitedError', () => {
  it('never tells a client to retry after 0 ms', () => {
    expect(rateLimitedError('requests', 0).retryAfterMs).toBe(1);
    expect(rateLimitedError('requests', -1).retryAfterMs).toBe(1);
    expect(rateLimitedError('requests', 59_000.1).toBody()).toEqual({ code: 'rate_limited', message: 'too many requests; retry in 60 s', retryAfterMs: 59_001 });
  });
});

import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { ConfigModule, loadConfig } from '@app/config';
import { ChatMetrics, MetricsModule } from '@app/observability';
import { RateLimits, RateLimitsModule } from '@app/rate-limits';
import { REDIS, RedisKeys, RedisModule } from '@app/redis';
import { uniqueName } from '@app/testing';

const LIMITS = { RATE_LIMIT_ROOM_CREATE_PER_USER: '3/5', RATE_LIMIT_REDIS_TIMEOUT_MS: '200' };

/** One replica's RateLimits against the real Redis of REDIS_URL. */
async function replica(): Promise<TestingModule> {
  return Test.createTestingModule({ imports: [ConfigModule.forRoot('it', LIMITS), MetricsModule, RedisModule, RateLimitsModule] }).compile();
}

/** RateLimits of a replica whose Redis connection is `redis` (not the real one). */
function limitsWith(redis: Redis): RateLimits {
  const config = loadConfig({ ...process.env, ...LIMITS }, 'it');
  return new RateLimits(redis, config, new ChatMetrics(config));
}

const refusalOf = (p: Promise<void>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

describe('rate limits in Redis (real server)', () => {
  const modules: TestingModule[] = [];
  afterAll(() => Promise.all(modules.map((m) => m.close())));

  it('gives a user one budget across replicas, kept in a key that expires with its window', async () => {
    const [a, b] = [await replica(), await replica()];
    modules.push(a, b);
    const user = uniqueName('u');
    await a.get(RateLimits).take('roomCreate', user);
    await b.get(RateLimits).take('roomCreate', user);
    await a.get(RateLimits).take('roomCreate', user);
    const refusal = await refusalOf(b.get(RateLimits).take('roomCreate', user));
    expect(refusal).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect((refusal as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(5_000);
    const ttl = await a.get<Redis>(REDIS).pttl(`${RedisKeys.rateLimit('roomCreate')}:${user}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    // Another user has a budget of their own.
    await expect(b.get(RateLimits).take('roomCreate', uniqueName('u'))).resolves.toBeUndefined();
  });

  it('counts in memory at once when Redis cannot be reached, still refusing past the limit', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    const sut = limitsWith(unreachable);
    const started = Date.now();
    for (let i = 0; i < 3; i++) await sut.take('roomCreate', 'u_1');
    expect(Date.now() - started).toBeLessThan(200);
    await expect(sut.take('roomCreate', 'u_1')).rejects.toMatchObject({ code: 'rate_limited' });
    unreachable.disconnect();
  });

  describe('with a Redis that stops answering (a stub server: it answers the connection handshake, then nothing)', () => {
    let silentServer: Server;
    const held: Socket[] = [];
    beforeAll(async () => {
      silentServer = createServer((socket) => {
        held.push(socket);
        socket.on('data', (chunk: Buffer) => {
          // ioredis' handshake (CLIENT SETINFO twice, then its ready check INFO); nothing after it.
          const text = chunk.toString();
          for (let i = text.split('SETINFO').length - 1; i > 0; i--) socket.write('+OK\r\n');
          if (/\binfo\r\n/i.test(text)) socket.write('$11\r\nloading:0\r\n\r\n');
        });
      }).listen(0, '127.0.0.1');
      await once(silentServer, 'listening');
    });
    afterAll(() => {
      held.forEach((s) => s.destroy());
      silentServer.close();
    });

    it('answers within the Redis bound (RATE_LIMIT_REDIS_TIMEOUT_MS) and lets the request through', async () => {
      const port = (silentServer.address() as { port: number }).port;
      const silent = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, commandTimeout: 10_000 });
      await once(silent, 'ready');
      const sut = limitsWith(silent);
      const started = Date.now();
      await expect(sut.take('roomCreate', 'u_1')).resolves.toBeUndefined();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(1_000);
      silent.disconnect();
    });
  });
});

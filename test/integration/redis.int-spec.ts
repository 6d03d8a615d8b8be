import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { ConfigModule } from '@app/config';
import { REDIS, RedisConnections, RedisModule } from '@app/redis';
import { eventually, uniqueName } from '@app/testing';

describe('Redis through the redis lib (real server)', () => {
  let redis: Redis;
  let connections: RedisConnections;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot('it'), RedisModule] }).compile();
    redis = moduleRef.get(REDIS);
    connections = moduleRef.get(RedisConnections);
    close = () => moduleRef.close();
  });

  afterAll(() => close());

  it('expires a key with a TTL', async () => {
    const key = uniqueName('it:ttl');
    await redis.set(key, 'x', 'PX', 300);
    expect(await redis.get(key)).toBe('x');
    await eventually('the key to expire', async () => (await redis.exists(key)) === 0 || undefined, 3000);
  });

  it('delivers pub/sub messages between two connections', async () => {
    const channel = uniqueName('it:chan');
    const subscriber = await connections.open('it-subscriber');
    const received: string[] = [];
    subscriber.on('message', (ch: string, msg: string) => ch === channel && received.push(msg));
    await subscriber.subscribe(channel);
    await redis.publish(channel, 'one');
    await redis.publish(channel, 'two');
    await eventually('both messages', () => received.length === 2 || undefined, 3000);
    expect(received).toEqual(['one', 'two']);
  });
});

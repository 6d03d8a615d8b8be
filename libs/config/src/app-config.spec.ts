import { EXAMPLE_JWT_SECRET } from './config.schema';
import { ConfigError, loadConfig } from './app-config';

const SECRET = { JWT_SECRET: 'test-secret-of-enough-length' };

describe('loadConfig', () => {
  it('gives safe local defaults for everything but the JWT secret', () => {
    const sut = loadConfig(SECRET, 'gateway');
    expect(sut.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(sut.kafka.partitions).toBe(3);
    expect(sut.mongo.url).toBe('mongodb://127.0.0.1:27017');
    expect(sut.instanceId).toMatch(/^gateway-/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ ...SECRET, GATEWAY_PORT: 'abc' })).toThrow(/GATEWAY_PORT/);
    expect(() => loadConfig({ ...SECRET, KAFKA_PARTITIONS: '0' })).toThrow(ConfigError);
  });

  it('refuses a missing JWT secret and the example one, in every mode', () => {
    expect(() => loadConfig({})).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ JWT_SECRET: EXAMPLE_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: EXAMPLE_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-from-the-vault' }).env).toBe('production');
  });

  it('splits a broker list', () => {
    expect(loadConfig({ ...SECRET, KAFKA_BROKERS: 'a:1, b:2' }).kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it('reads each rate limit as count per seconds, with production defaults, and 0 or off as no limit', () => {
    const sut = loadConfig({ ...SECRET, RATE_LIMIT_ROOM_CREATE_PER_USER: '3/5', RATE_LIMIT_TYPING_PER_USER: 'off', RATE_LIMIT_REST_READS_PER_USER: '0' });
    expect(sut.rateLimits.rules.login).toEqual({ points: 30, durationSeconds: 60 });
    expect(sut.rateLimits.rules.adminLogin).toEqual({ points: 10, durationSeconds: 900 });
    expect(sut.rateLimits.rules.roomCreate).toEqual({ points: 3, durationSeconds: 5 });
    expect(sut.rateLimits.rules.typing).toBeNull();
    expect(sut.rateLimits.rules.restReads).toBeNull();
    expect(sut.rateLimits.redisTimeoutMs).toBe(200);
  });

  it('names a rate limit that is not count/seconds', () => {
    for (const bad of ['30', '30/0', '-1/60', '30/60s', 'ten/60', '1.5/60']) {
      expect(() => loadConfig({ ...SECRET, RATE_LIMIT_LOGIN_PER_IP: bad })).toThrow(/RATE_LIMIT_LOGIN_PER_IP/);
    }
  });
});

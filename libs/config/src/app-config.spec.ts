import { EXAMPLE_JWT_SECRET } from './config.schema';
import { ConfigError, loadConfig } from './app-config';

const SECRET = { JWT_SECRET: 'test-secret-of-enough-length' };

describe('loadConfig', () => {
  it('gives safe local defaults for everything but the JWT secret', () => {
    const sut = loadConfig(SECRET, 'gateway');
    expect(sut.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(sut.kafka.partitions).toBe(12);
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
});

import { EXAMPLE_JWT_SECRET } from './config.schema';
import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives safe local defaults when nothing is set', () => {
    const sut = loadConfig({}, 'gateway');
    expect(sut.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(sut.kafka.partitions).toBe(12);
    expect(sut.mongo.url).toBe('mongodb://127.0.0.1:27017');
    expect(sut.instanceId).toMatch(/^gateway-/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ GATEWAY_PORT: 'abc' })).toThrow(/GATEWAY_PORT/);
    expect(() => loadConfig({ KAFKA_PARTITIONS: '0' })).toThrow(ConfigError);
  });

  it('refuses the example JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: EXAMPLE_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-from-the-vault' }).env).toBe('production');
  });

  it('splits a broker list', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'a:1, b:2' }).kafka.brokers).toEqual(['a:1', 'b:2']);
  });
});

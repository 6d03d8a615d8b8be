export * from './redis-connections';
export * from './redis.module';
export * from './redis.tokens';
export * from './redis.probe';
export * from './room-presence';
export * from './replica-bus';
export * from './replica-registry';

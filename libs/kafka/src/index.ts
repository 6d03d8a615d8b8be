export * from './kafka.module';
export * from './kafka.tokens';
export * from './messages-topic';
export * from './produce-batcher';
export * from './kafka.probe';
export * from './retry-retriable';
export * from './chat-producer';

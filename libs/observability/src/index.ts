export * from './health/dependency-health';
export * from './health/health.module';
export * from './logging.module';
export * from './bootstrap';
export * from './metrics/chat-metrics';
export * from './metrics/metrics.module';

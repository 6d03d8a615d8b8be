export * from './rate-limit';
export * from './rate-limit-rules';
export * from './rate-limits';
export * from './rate-limits.module';
export * from './subject-key';

export * from './dependency-call';
export * from './in-flight';

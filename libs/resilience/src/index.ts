export * from './dependency-call';

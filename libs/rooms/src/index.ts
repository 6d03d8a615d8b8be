export * from './room-views';

export { sourceAddress } from '@app/client';
export * from './chat-client';
export * from './history';
export * from './http';
export * from './recording-transport';
export * from './unique';
export * from './exactly-once';
export * from './retrying-member';
export * from './topology-processes';

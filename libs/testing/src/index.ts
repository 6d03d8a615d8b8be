export * from './chat-client';
export * from './http';
export * from './unique';
export * from './exactly-once';
export * from './retrying-member';

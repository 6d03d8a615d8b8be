export * from './chat-client';
export * from './http';
export * from './unique';

export * from './chat-client';
export * from './unique';

export * from './unique';

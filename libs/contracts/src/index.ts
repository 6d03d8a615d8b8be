export * from './chat-record';
export * from './errors';
export * from './events';
export * from './limits';
export * from './models';
export * from './schemas';
export * from './parse';
export * from './replica-notices';

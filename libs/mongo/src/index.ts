export * from './documents';
export * from './messages.repository';
export * from './mongo-indexes';
export * from './mongo.module';
export * from './mongo.probe';
export * from './mongo.tokens';
export * from './rooms.repository';
export * from './users.repository';

export * from './mongo.module';
export * from './mongo.tokens';
export * from './mongo.probe';

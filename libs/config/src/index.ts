export * from './app-config';
export * from './config.module';
export { EXAMPLE_JWT_SECRET } from './config.schema';

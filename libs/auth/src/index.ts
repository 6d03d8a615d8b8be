export * from './auth.module';
export * from './token.service';

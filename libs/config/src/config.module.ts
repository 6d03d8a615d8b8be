import { DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig, type AppConfig } from './app-config';

/** Injection token for the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** `app` names the process in its default instance id (gateway, persister, api). */
  static forRoot(app: string, overrides: NodeJS.ProcessEnv = {}): DynamicModule {
    const config: AppConfig = loadConfig({ ...process.env, ...overrides }, app);
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}

import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@app/config';

/**
 * Structured JSON logs (pino) with the instance id on every line, so the lines of three
 * gateway replicas can be told apart in one stream. Nest's own `Logger` class writes through it
 * once `app.useLogger(app.get(PinoLogger))` is called in main.ts.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Nest 11 path syntax (the library's default '*' is the legacy form and warns).
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.logLevel,
          base: { instance: config.instanceId },
          // Request lines are noise next to the chat traffic; errors are still logged by handlers.
          autoLogging: false,
          redact: ['req.headers.authorization', 'req.headers.cookie'],
          timestamp: () => `,"time":"${new Date().toISOString()}"`,
        },
      }),
    }),
  ],
})
export class LoggingModule {}

import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MongoClient, type Db } from 'mongodb';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { MessagesRepository } from './messages.repository';
import { MongoIndexes } from './mongo-indexes';
import { MONGO_CLIENT, MONGO_DB } from './mongo.tokens';
import { RoomsRepository } from './rooms.repository';
import { UsersRepository } from './users.repository';

const logger = new Logger('MongoModule');

@Global()
@Module({
  providers: [
    {
      provide: MONGO_CLIENT,
      inject: [APP_CONFIG],
      // Connecting here means a store that is down at start-up stops the app with a clear error.
      useFactory: async (config: AppConfig): Promise<MongoClient> => {
        const client = new MongoClient(config.mongo.url, {
          appName: config.instanceId,
          // A store that is down or unreachable fails a call within seconds (callers answer
          // `unavailable`); reads also carry maxTimeMS (MONGO_QUERY_TIMEOUT_MS).
          serverSelectionTimeoutMS: 5_000,
          connectTimeoutMS: 5_000,
          maxPoolSize: 20,
        });
        try {
          await client.connect();
          await client.db(config.mongo.db).command({ ping: 1 });
        } catch (error) {
          throw new Error(`cannot reach MongoDB at ${redact(config.mongo.url)}: ${(error as Error).message}`);
        }
        logger.log(`connected to ${redact(config.mongo.url)}`);
        return client;
      },
    },
    {
      provide: MONGO_DB,
      inject: [MONGO_CLIENT, APP_CONFIG],
      useFactory: (client: MongoClient, config: AppConfig): Db => client.db(config.mongo.db),
    },
    MongoIndexes,
    MessagesRepository,
    RoomsRepository,
    UsersRepository,
  ],
  exports: [MONGO_CLIENT, MONGO_DB, MessagesRepository, RoomsRepository, UsersRepository],
})
export class MongoModule implements OnApplicationShutdown {
  constructor(@Inject(MONGO_CLIENT) private readonly client: MongoClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** Hides credentials when a URL is logged. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

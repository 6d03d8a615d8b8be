import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';

/**
 * Opens the Redis connections of this process and closes them all at shutdown. A subscriber
 * connection cannot run commands, so features that subscribe ask for one of their own.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  private readonly opened: Redis[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Connects and waits for the first answer, so a Redis that is down stops start-up clearly. */
  async open(name: string): Promise<Redis> {
    const client = new Redis(this.config.redis.url, {
      connectionName: `${this.config.instanceId}:${name}`,
      lazyConnect: true,
      // Commands fail fast while Redis is down (callers answer `unavailable`) instead of hanging.
      maxRetriesPerRequest: 2,
      // A command with no answer fails here first (callDependency's 3 s bound is the backstop).
      commandTimeout: 2_000,
      connectTimeout: 5_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    client.on('error', (error: Error) => this.logger.warn(`redis ${name}: ${error.message}`));
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new Error(`cannot reach Redis at ${this.config.redis.url}: ${(error as Error).message}`);
    }
    this.opened.push(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    const all = this.opened.splice(0);
    await Promise.allSettled(all.map((c) => c.quit()));
  }
}

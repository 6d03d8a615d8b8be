import { Logger } from '@nestjs/common';

const logger = new Logger('KafkaStartup');

/**
 * Retries a start-up step while Kafka answers with a retriable error: right after a topic is
 * created its partitions have no leader for a moment ("not the leader for that topic-partition"),
 * and a fresh broker's coordinators are still loading. Anything else fails at once.
 */
export async function retryRetriable<T>(what: string, op: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      logger.warn(`${what}: ${(error as Error).message}; retrying (attempt ${attempt})`);
      await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
    }
  }
}

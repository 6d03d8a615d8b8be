import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/**
 * The producer every chatstream process writes with: idempotent (a retried request is written
 * once) with one request in flight (so retries cannot reorder a partition), never creating topics.
 */
export function createChatProducer(kafka: Kafka): Producer {
  return kafka.producer({
    // Records carry explicit partitions (RoomPartitioner); this only silences kafkajs's notice.
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
}

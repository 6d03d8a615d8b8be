import type { Kafka } from 'kafkajs';

/**
 * Commits the start offsets of a consumer group that has no running member: what kafkajs's
 * `admin.setOffsets` does, without its 5 s wait. setOffsets runs a paused consumer of the group,
 * seeks it to the offsets (committed on stop) and stops it at its first FETCH event; with every
 * partition paused that event comes only after the consumer's `maxWaitTimeInMs`, which setOffsets
 * leaves at the 5 s default. The same steps with a 50 ms wait take well under a second, so a
 * restarted gateway serves again within a few seconds (its HTTP server listens after this).
 */
export async function commitGroupStart(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partitions: { partition: number; offset: string }[],
): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.FETCH, () => void consumer.stop().then(resolve, reject));
      consumer.run({ eachBatchAutoResolve: false, eachBatch: () => Promise.resolve() }).catch(reject);
      consumer.pause([{ topic }]);
      for (const p of partitions) consumer.seek({ topic, ...p });
    });
  } finally {
    await consumer.disconnect();
  }
}

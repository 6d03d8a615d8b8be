/**
 * How every Kafka client of this project backs off after a failed request: from 100 ms, doubling,
 * capped at 1 s, so that after a broker outage every client is back within a second of it (a cap
 * of 30 s, kafkajs's default, kept sends failing for ~6 s after the broker was up); and, where a
 * client gives up at all, after 30 retries (~28 s).
 */
export const KAFKA_RETRY = { firstMs: 100, maxMs: 1_000, retries: 30 } as const;

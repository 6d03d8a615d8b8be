/** The connected-on-demand kafkajs client of this process. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

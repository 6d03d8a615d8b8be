import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { DependencyProbe } from '@app/observability';
import { KAFKA_CLIENT } from './kafka.tokens';

/** Kafka is ready when the cluster answers a metadata request. */
@Injectable()
export class KafkaProbe implements DependencyProbe, OnApplicationShutdown {
  readonly name = 'kafka';
  private admin: Admin | undefined;

  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  async probe(): Promise<void> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const cluster = await this.admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no broker in the cluster');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}

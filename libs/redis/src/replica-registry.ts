import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { User } from '@app/contracts';
import { RedisKeys } from './redis-keys';
import { REDIS } from './redis.tokens';

export interface ReplicaRecord {
  instance: string;
  port: number;
  pid: number;
  startedAt: string;
  lastBeatAt: string;
  connections: number;
  rooms: number;
}

export interface ClientSession {
  socketId: string;
  sessionId: string;
  user: User;
  instance: string;
  rooms: string[];
  connectedAt: string;
  address: string;
}

const REPLICAS = RedisKeys.replicas;
const replicaKey = RedisKeys.replica;
const sessionsKey = RedisKeys.replicaSessions;

/**
 * What each gateway replica reports on its heartbeat, for the admin API: itself and its
 * connected sessions. Records expire with the heartbeat, so a killed replica disappears.
 */
@Injectable()
export class ReplicaRegistry {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async report(record: ReplicaRecord, sessions: ClientSession[], ttlMs: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    pipeline.set(replicaKey(record.instance), JSON.stringify(record), 'PX', ttlMs);
    pipeline.del(sessionsKey(record.instance));
    if (sessions.length > 0) {
      pipeline.hset(sessionsKey(record.instance), ...sessions.flatMap((s) => [s.socketId, JSON.stringify(s)]));
      pipeline.pexpire(sessionsKey(record.instance), ttlMs);
    }
    pipeline.sadd(REPLICAS, record.instance);
    await pipeline.exec();
  }

  async forget(instance: string): Promise<void> {
    await this.redis.multi().del(replicaKey(instance), sessionsKey(instance)).srem(REPLICAS, instance).exec();
  }

  /** Live replicas; the expired ones are dropped from the index as they are found. */
  async replicas(): Promise<ReplicaRecord[]> {
    const instances = await this.redis.smembers(REPLICAS);
    if (instances.length === 0) return [];
    const values = await this.redis.mget(instances.map(replicaKey));
    const dead = instances.filter((_, i) => values[i] === null);
    if (dead.length > 0) await this.redis.srem(REPLICAS, ...dead);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as ReplicaRecord);
  }

  async sessions(): Promise<ClientSession[]> {
    const replicas = await this.replicas();
    const all = await Promise.all(replicas.map((r) => this.redis.hvals(sessionsKey(r.instance))));
    return all.flat().map((v) => JSON.parse(v) as ClientSession);
  }
}

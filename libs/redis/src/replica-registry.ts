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
 * What each gateway replica reports for the admin API: itself (on its heartbeat) and its
 * connected sessions (one hash field each, written when a session starts or changes and removed
 * when it ends, so a connect costs one field, not a snapshot of every session). Both expire with
 * the heartbeat, so a killed replica disappears.
 */
@Injectable()
export class ReplicaRegistry {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * The heartbeat's report: the replica's record, and the expiry of its sessions moved forward.
   * Resolves false when the sessions hash was gone (Redis restarted empty): the caller writes them
   * all back (`restoreSessions`).
   */
  async report(record: ReplicaRecord, ttlMs: number): Promise<boolean> {
    const results = await this.redis
      .pipeline()
      .set(replicaKey(record.instance), JSON.stringify(record), 'PX', ttlMs)
      .pexpire(sessionsKey(record.instance), ttlMs)
      .sadd(REPLICAS, record.instance)
      .exec();
    const error = results?.find(([e]) => e)?.[0];
    if (error) throw error;
    return results?.[1]?.[1] === 1;
  }

  async putSession(session: ClientSession, ttlMs: number): Promise<void> {
    await this.redis.pipeline().hset(sessionsKey(session.instance), session.socketId, JSON.stringify(session)).pexpire(sessionsKey(session.instance), ttlMs).exec();
  }

  async dropSession(instance: string, socketId: string): Promise<void> {
    await this.redis.hdel(sessionsKey(instance), socketId);
  }

  /** Writes every session of a replica again (after Redis lost them). */
  async restoreSessions(instance: string, sessions: ClientSession[], ttlMs: number): Promise<void> {
    if (sessions.length === 0) return;
    await this.redis
      .pipeline()
      .hset(sessionsKey(instance), ...sessions.flatMap((s) => [s.socketId, JSON.stringify(s)]))
      .pexpire(sessionsKey(instance), ttlMs)
      .exec();
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

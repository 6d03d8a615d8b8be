import { hostname } from 'node:os';
import { envSchema, type Env, type RateLimitRule } from './config.schema';

export type { RateLimitRule } from './config.schema';

/** The rate limits of README "Rate limits", each counted per address, per user or per username. */
export type RateLimitName =
  | 'login'
  | 'adminLogin'
  | 'adminLoginUsername'
  | 'roomCreate'
  | 'roomJoin'
  | 'userRename'
  | 'typing'
  | 'restReads';

/** The validated configuration, grouped by the system each part talks to. */
export interface AppConfig {
  readonly env: Env['NODE_ENV'];
  readonly instanceId: string;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly bindHost: string;
  readonly ports: { readonly gateway: number; readonly api: number; readonly persister: number };
  readonly kafka: {
    readonly brokers: string[];
    readonly clientId: string;
    readonly messagesTopic: string;
    readonly deadLetterTopic: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly lingerMs: number;
    readonly maxBatch: number;
    /** The live stream's fetch; `busy` after a fetch of at least `busy.minRecords` records (a wait of 0: never). */
    readonly liveFetch: {
      readonly minBytes: number;
      readonly maxWaitMs: number;
      readonly busy: { readonly minBytes: number; readonly maxWaitMs: number; readonly minRecords: number };
    };
  };
  readonly mongo: { readonly url: string; readonly db: string; readonly queryTimeoutMs: number };
  readonly redis: { readonly url: string };
  readonly auth: {
    readonly jwtSecret: string;
    readonly jwtTtlSeconds: number;
    readonly adminUsername: string;
    readonly adminPassword: string | undefined;
  };
  readonly chat: {
    readonly roomCapacity: number;
    readonly messageRatePerSecond: number;
    readonly singleRoomPolicy: boolean;
    readonly emptyRoomTtlSeconds: number;
    readonly historyPageSize: number;
    readonly joinPageSize: number;
    readonly joinWaitMs: number;
    readonly roomTail: { readonly perRoom: number; readonly total: number };
    readonly presenceTtlSeconds: number;
    readonly retryWindowMs: number;
  };
  readonly persister: { readonly batchMax: number; readonly fetch: { readonly minBytes: number; readonly maxWaitMs: number } };
  readonly api: {
    readonly storeConcurrency: number;
    readonly storeQueue: number;
    readonly historyCacheMessages: number;
    readonly trustProxyHops: number;
  };
  readonly rateLimits: {
    /** null: that limit is off. */
    readonly rules: { readonly [name in RateLimitName]: RateLimitRule | null };
    readonly redisTimeoutMs: number;
  };
}

export class ConfigError extends Error {}

/**
 * Parses the environment once at start-up. Fails with a message naming each bad variable,
 * so a misconfigured process stops before it connects to anything.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, defaultInstance = 'app'): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    instanceId: e.INSTANCE_ID ?? `${defaultInstance}-${hostname()}-${process.pid}`,
    logLevel: e.LOG_LEVEL,
    bindHost: e.BIND_HOST,
    ports: { gateway: e.GATEWAY_PORT, api: e.API_PORT, persister: e.PERSISTER_PORT },
    kafka: {
      brokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
      clientId: e.KAFKA_CLIENT_ID,
      messagesTopic: e.KAFKA_TOPIC_MESSAGES,
      deadLetterTopic: e.KAFKA_TOPIC_DEAD_LETTER,
      partitions: e.KAFKA_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
      lingerMs: e.KAFKA_PRODUCE_LINGER_MS,
      maxBatch: e.KAFKA_PRODUCE_MAX_BATCH,
      liveFetch: {
        minBytes: e.KAFKA_LIVE_FETCH_MIN_BYTES,
        maxWaitMs: e.KAFKA_LIVE_FETCH_MAX_WAIT_MS,
        busy: { minBytes: e.KAFKA_LIVE_FETCH_BUSY_MIN_BYTES, maxWaitMs: e.KAFKA_LIVE_FETCH_BUSY_MAX_WAIT_MS, minRecords: e.KAFKA_LIVE_FETCH_BUSY_MIN_RECORDS },
      },
    },
    mongo: { url: e.MONGO_URL, db: e.MONGO_DB, queryTimeoutMs: e.MONGO_QUERY_TIMEOUT_MS },
    redis: { url: e.REDIS_URL },
    auth: {
      jwtSecret: e.JWT_SECRET,
      jwtTtlSeconds: e.JWT_TTL_SECONDS,
      adminUsername: e.ADMIN_USERNAME,
      adminPassword: e.ADMIN_PASSWORD,
    },
    chat: {
      roomCapacity: e.ROOM_CAPACITY,
      messageRatePerSecond: e.MESSAGE_RATE_PER_SECOND,
      singleRoomPolicy: e.SINGLE_ROOM_POLICY,
      emptyRoomTtlSeconds: e.EMPTY_ROOM_TTL_SECONDS,
      historyPageSize: e.HISTORY_PAGE_SIZE,
      joinPageSize: e.JOIN_PAGE_SIZE,
      joinWaitMs: e.JOIN_WAIT_MS,
      roomTail: { perRoom: e.ROOM_TAIL_MESSAGES, total: e.ROOM_TAIL_TOTAL },
      presenceTtlSeconds: e.PRESENCE_TTL_SECONDS,
      retryWindowMs: Math.round(e.RETRY_WINDOW_MINUTES * 60_000),
    },
    persister: { batchMax: e.PERSISTER_BATCH_MAX, fetch: { minBytes: e.PERSISTER_FETCH_MIN_BYTES, maxWaitMs: e.PERSISTER_FETCH_MAX_WAIT_MS } },
    api: {
      storeConcurrency: e.API_STORE_CONCURRENCY,
      storeQueue: e.API_STORE_QUEUE,
      historyCacheMessages: e.HISTORY_CACHE_MESSAGES,
      trustProxyHops: e.TRUST_PROXY_HOPS,
    },
    rateLimits: {
      rules: {
        login: e.RATE_LIMIT_LOGIN_PER_IP,
        adminLogin: e.RATE_LIMIT_ADMIN_LOGIN_PER_IP,
        adminLoginUsername: e.RATE_LIMIT_ADMIN_LOGIN_PER_USERNAME,
        roomCreate: e.RATE_LIMIT_ROOM_CREATE_PER_USER,
        roomJoin: e.RATE_LIMIT_ROOM_JOIN_PER_USER,
        userRename: e.RATE_LIMIT_USER_RENAME_PER_USER,
        typing: e.RATE_LIMIT_TYPING_PER_USER,
        restReads: e.RATE_LIMIT_REST_READS_PER_USER,
      },
      redisTimeoutMs: e.RATE_LIMIT_REDIS_TIMEOUT_MS,
    },
  };
}

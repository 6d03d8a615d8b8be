import { z } from 'zod';

/** The example JWT secret of .env.example: refused everywhere, so that no secret from the repo runs. */
export const EXAMPLE_JWT_SECRET = 'example-only-change-me';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A rate limit: at most `points` in each window of `durationSeconds`. */
export interface RateLimitRule {
  readonly points: number;
  readonly durationSeconds: number;
}
/** "<count>/<seconds>" (at most count in each window of that many seconds), or 0 / off: no limit. */
const rateLimit = z
  .string()
  .trim()
  .regex(/^(0|off|[1-9]\d{0,8}\/[1-9]\d{0,6})$/, 'must be <count>/<seconds> (e.g. 30/60), or 0 or off for no limit')
  .transform((v): RateLimitRule | null => {
    const [points, seconds] = v.split('/');
    return seconds === undefined ? null : { points: Number(points), durationSeconds: Number(seconds) };
  });

/**
 * Every environment variable chatstream reads, with the safe local defaults that
 * `.env.example` documents. Nothing outside libs/config reads process.env.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    INSTANCE_ID: z.string().min(1).max(64).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    // 127.0.0.1 for the native topology; containers set 0.0.0.0.
    BIND_HOST: z.string().min(1).default('127.0.0.1'),
    GATEWAY_PORT: port.default(3101),
    API_PORT: port.default(3200),
    PERSISTER_PORT: port.default(3300),

    KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
    KAFKA_CLIENT_ID: z.string().min(1).default('chatstream'),
    KAFKA_TOPIC_MESSAGES: z.string().min(1).default('chat.messages'),
    KAFKA_TOPIC_DEAD_LETTER: z.string().min(1).default('chat.messages.dead-letter'),
    // The count a new chat topic is created with; an existing topic keeps its own (MessagesTopic):
    // changing it would move rooms between partitions. Every gateway fetches every partition, and
    // names each of them in every fetch (README: what fewer partitions saved).
    KAFKA_PARTITIONS: positiveInt.max(1000).default(3),
    KAFKA_REPLICATION_FACTOR: positiveInt.max(10).default(1),
    KAFKA_PRODUCE_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
    KAFKA_PRODUCE_MAX_BATCH: positiveInt.max(10000).default(500),
    // Each gateway's fetch of the live stream: the broker answers once it has this many bytes or
    // this many ms have passed. 1 byte answers every produce request alone (one fetch per request
    // and gateway); a few KB with a wait of a few ms lets a fetch carry several (README). With 1 byte
    // the wait only paces an idle stream (2 s: an idle gateway's CPU down a third, README).
    KAFKA_LIVE_FETCH_MIN_BYTES: positiveInt.max(1_048_576).default(1),
    KAFKA_LIVE_FETCH_MAX_WAIT_MS: positiveInt.max(5_000).default(2_000),
    // The same, for a fetch that follows one that returned at least BUSY_MIN_RECORDS records
    // (LogReader, libs/kafka): under traffic a fetch gathers up to this many ms of records,
    // idle it still wakes on the first. A wait of 0 turns it off (every fetch uses the two above).
    KAFKA_LIVE_FETCH_BUSY_MIN_BYTES: positiveInt.max(1_048_576).default(16_384),
    KAFKA_LIVE_FETCH_BUSY_MAX_WAIT_MS: z.coerce.number().int().min(0).max(1_000).default(3),
    KAFKA_LIVE_FETCH_BUSY_MIN_RECORDS: positiveInt.max(100_000).default(2),

    MONGO_URL: z.string().min(1).default('mongodb://127.0.0.1:27017'),
    MONGO_DB: z.string().min(1).default('chatstream'),
    // Every read of the store is cut off by the server after this (maxTimeMS): a slow query
    // answers `unavailable` instead of holding a connection and the caller.
    MONGO_QUERY_TIMEOUT_MS: positiveInt.max(60_000).default(2000),
    // The api's store reads in flight at once, and how many more may wait for a slot; past that
    // a request is shed at once with 503 `unavailable` + Retry-After, so one busy endpoint cannot
    // queue up work that starves login and /health.
    API_STORE_CONCURRENCY: positiveInt.max(1000).default(8),
    API_STORE_QUEUE: z.coerce.number().int().min(0).max(100_000).default(200),
    // Messages of final history the api keeps in memory to answer pages (HistoryRuns; ~0.5 KB each; 0: off).
    HISTORY_CACHE_MESSAGES: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
    // Proxies in front of the api whose X-Forwarded-For it believes (Nginx: 1), so that the per-address
    // rate limits see the client's address, not the proxy's.
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(1),

    REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),

    // No default: the native topology generates one (.data/jwt-secret), compose requires one.
    JWT_SECRET: z.string().min(16),
    JWT_TTL_SECONDS: positiveInt.default(24 * 60 * 60),
    ADMIN_USERNAME: z.string().min(1).default('admin'),
    ADMIN_PASSWORD: z.string().min(1).optional(),

    // Sustained messages per second per socket (a burst of twice this is allowed).
    MESSAGE_RATE_PER_SECOND: positiveInt.max(10_000).default(50),
    ROOM_CAPACITY: positiveInt.default(100),
    SINGLE_ROOM_POLICY: bool.default('false'),
    EMPTY_ROOM_TTL_SECONDS: positiveInt.default(600),
    HISTORY_PAGE_SIZE: positiveInt.max(100).default(50),
    JOIN_PAGE_SIZE: positiveInt.max(1000).default(200),
    // A join waits at most this long for the persister to reach the live position.
    JOIN_WAIT_MS: positiveInt.max(60_000).default(5000),
    // Each gateway keeps the newest messages of the rooms joined on it, to answer joins from
    // memory (RoomTails): this many per room, and this many in all (0 turns it off).
    ROOM_TAIL_MESSAGES: z.coerce.number().int().min(0).max(100_000).default(1000),
    ROOM_TAIL_TOTAL: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
    PRESENCE_TTL_SECONDS: positiveInt.max(300).default(10),
    // How long a sent message is remembered for its retries (same clientMsgId): every gateway
    // holds this much of the log's sends in memory and reads it from Kafka when it starts.
    RETRY_WINDOW_MINUTES: z.coerce.number().positive().max(24 * 60).default(5),

    PERSISTER_BATCH_MAX: positiveInt.max(10000).default(1000),
    // The persister's fetch: the broker answers once it has this many bytes or this many ms have
    // passed. Waiting for more makes fewer, larger store writes (a store insert costs less per
    // document the more it carries), for that much more delay before a message is in history.
    // 64 KB / 100 ms (was 16 KB / 20 ms): the store's and the persister's CPU per message fell by
    // a quarter in the sweep at 500 sends/s (docs/benchmarks.md).
    PERSISTER_FETCH_MIN_BYTES: positiveInt.max(16_777_216).default(65_536),
    PERSISTER_FETCH_MAX_WAIT_MS: positiveInt.max(5_000).default(100),

    // Rate limits shared by the replicas through Redis (README "Rate limits"), each "<count>/<seconds>"
    // or 0/off. No passwords: a user login guards against scripted sign-ups, so it tolerates many
    // people behind one NAT address; the admin login has a password, so it is tight.
    RATE_LIMIT_LOGIN_PER_IP: rateLimit.default('30/60'),
    RATE_LIMIT_ADMIN_LOGIN_PER_IP: rateLimit.default('10/900'),
    RATE_LIMIT_ADMIN_LOGIN_PER_USERNAME: rateLimit.default('20/900'),
    RATE_LIMIT_ROOM_CREATE_PER_USER: rateLimit.default('10/60'),
    RATE_LIMIT_ROOM_JOIN_PER_USER: rateLimit.default('120/60'),
    RATE_LIMIT_USER_RENAME_PER_USER: rateLimit.default('5/60'),
    RATE_LIMIT_TYPING_PER_USER: rateLimit.default('100/10'),
    RATE_LIMIT_REST_READS_PER_USER: rateLimit.default('600/60'),
    // How long a request waits for Redis to count it; past that (or with Redis down) each replica
    // counts in its own memory, so the request goes on instead of failing or waiting.
    RATE_LIMIT_REDIS_TIMEOUT_MS: positiveInt.max(5_000).default(200),
  })
  .superRefine((env, ctx) => {
    if (env.JWT_SECRET === EXAMPLE_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is the example value from .env.example: set a real secret' });
    }
  });

export type Env = z.infer<typeof envSchema>;

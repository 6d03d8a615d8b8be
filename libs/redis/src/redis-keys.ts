/**
 * Every Redis key and channel chatstream uses, in one place, so that two features can never pick
 * the same name and a reader of the keyspace finds here what each key is. `{...}` is the hash
 * tag: the keys of one room (or one replica) stay on one slot if Redis is ever a cluster.
 * Nothing here is a chat message: those live in Kafka and MongoDB.
 */
export const RedisKeys = {
  /** Presence of a room: a sorted set of `instance|socketId` entries scored by expiry time... */
  presenceEntries: (roomId: string) => `presence:{${roomId}}:entries`,
  /** ...and a hash from each entry to its user. */
  presenceUsers: (roomId: string) => `presence:{${roomId}}:users`,
  /** Present while Redis still holds a replica's presence entries (gone after a Redis restart). */
  presenceMarker: (instance: string) => `presence-marker:{${instance}}`,
  /** The set of gateway replicas that reported at least once (expired ones are swept on read). */
  replicas: 'replicas',
  /** A replica's own report (its heartbeat; expires with it). */
  replica: (instance: string) => `replica:{${instance}}`,
  /** A replica's connected sessions, for the admin API (expires with its heartbeat). */
  replicaSessions: (instance: string) => `replica:{${instance}}:sessions`,
  /** Which replica announces a rename in a room (several may hold the user's tabs there). */
  renameAnnouncement: (roomId: string, userId: string, username: string) => `renamed:{${roomId}}:${userId}:${username}`,
  /** An admin's ban of a user, with the ban's TTL (its value: when it ends). */
  ban: (userId: string) => `ban:{${userId}}`,
  /**
   * The counters of one rate limit (libs/rate-limits): rate-limiter-flexible appends `:<subject>`
   * (a client address, a user id or a username) and gives each counter its window as TTL.
   */
  rateLimit: (limit: string) => `rate-limit:${limit}`,
  /** One api replica at a time sweeps empty rooms. */
  roomReaperLock: 'room-reaper:lock',
  /** Pub/sub channel of the notices between replicas (ReplicaBus). */
  busChannel: 'chatstream:bus',
} as const;

/** A socket's presence entry: unique across replicas and restarts (socket ids are random). */
export const presenceEntry = (instance: string, socketId: string): string => `${instance}|${socketId}`;

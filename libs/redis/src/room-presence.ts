import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { User } from '@app/contracts';
import { RedisKeys } from './redis-keys';
import { REDIS } from './redis.tokens';

/**
 * Who is in each room, across all gateway replicas. Each socket's membership is an entry
 * `instance|socketId` in a sorted set scored by its expiry time; its gateway refreshes the scores
 * on a heartbeat. Entries of a gateway that died (SIGKILL, no chance to clean up) simply stop being
 * refreshed and drop out within the TTL; a restarted gateway has new socket ids, so it cannot
 * revive them. Readers ignore and sweep expired entries.
 */
@Injectable()
export class RoomPresence {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.redis.defineCommand('presenceJoin', { numberOfKeys: 2, lua: JOIN_SCRIPT });
    this.redis.defineCommand('presenceMembers', { numberOfKeys: 2, lua: MEMBERS_SCRIPT });
  }

  private get ttlMs(): number {
    return this.config.chat.presenceTtlSeconds * 1000;
  }

  /**
   * Adds a socket to a room unless the room already has `capacity` distinct users and this user is
   * not one of them (atomically, so two last joins cannot both get the last place).
   * `admitted` is `full`, `added` (the user was not in the room before) or `again` (another tab);
   * `members` are the room's users right after, read in the same round trip (a join's answer
   * lists them, so the join makes no second trip for them).
   */
  async join(roomId: string, entry: string, user: User, capacity: number): Promise<{ admitted: 'full' | 'added' | 'again'; members: User[] }> {
    const now = Date.now();
    const trip = this.redis.pipeline() as ChainableCommander & PresenceCommands;
    trip.presenceJoin(zsetKey(roomId), hashKey(roomId), now, entry, now + this.ttlMs, user.id, user.username, capacity, this.ttlMs * 3);
    trip.presenceMembers(zsetKey(roomId), hashKey(roomId), now);
    const [joined, members] = answersOf(await trip.exec(), 2);
    const ok = joined as number;
    return { admitted: ok === 0 ? 'full' : ok === 2 ? 'again' : 'added', members: usersOf(members) };
  }

  /**
   * Removes a socket from a room; answers the room's users right after. One transaction, so no
   * other command sees the entry without its user, and one round trip.
   */
  async leave(roomId: string, entry: string): Promise<User[]> {
    const trip = this.redis.multi() as ChainableCommander & PresenceCommands;
    trip.zrem(zsetKey(roomId), entry).hdel(hashKey(roomId), entry);
    trip.presenceMembers(zsetKey(roomId), hashKey(roomId), Date.now());
    return usersOf(answersOf(await trip.exec(), 3)[2]);
  }

  /** Renames the user in every entry of the given sockets (their rooms are known to the caller). */
  async rename(entries: { roomId: string; entry: string }[], user: User): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { roomId, entry } of entries) pipeline.hset(hashKey(roomId), entry, encodeUser(user));
    await pipeline.exec();
  }

  /**
   * Moves the expiry of this gateway's entries forward; called on every heartbeat with the rooms
   * its sockets are in. Normally only existing entries are touched (XX: an entry removed meanwhile
   * by a leave or an admin delete is not re-added). Redis runs without persistence (presence is
   * ephemeral), so a restarted Redis has lost every entry, and with them this replica's marker:
   * then the beat writes all its entries back, and presence is complete again within one beat.
   */
  async refresh(instance: string, entries: { roomId: string; entry: string; user: User }[]): Promise<void> {
    const expiresAt = Date.now() + this.ttlMs;
    const marker = RedisKeys.presenceMarker(instance);
    // One round trip in the usual case: the marker is renewed (XX: never created here) and read
    // with the refresh itself.
    const beat = this.redis.pipeline().set(marker, '1', 'PX', this.ttlMs * 3, 'XX', 'GET');
    for (const { roomId, entry } of entries) beat.zadd(zsetKey(roomId), 'XX', expiresAt, entry);
    this.expireRooms(beat, entries);
    const [found] = (await beat.exec()) ?? [];
    if (found?.[0] || found?.[1] !== null) return;
    // The marker is written last, after the entries: if the restore fails part way (Redis just
    // restarted and is flaky), the marker is still missing and the next beat restores again.
    const restore = this.redis.pipeline();
    for (const { roomId, entry, user } of entries) restore.zadd(zsetKey(roomId), expiresAt, entry).hset(hashKey(roomId), entry, encodeUser(user));
    this.expireRooms(restore, entries);
    restore.set(marker, '1', 'PX', this.ttlMs * 3);
    const results = (await restore.exec()) ?? [];
    if (results.some(([error]) => error)) await this.redis.del(marker);
  }

  private expireRooms(pipeline: ChainableCommander, entries: { roomId: string }[]): void {
    for (const roomId of new Set(entries.map((e) => e.roomId))) {
      pipeline.pexpire(zsetKey(roomId), this.ttlMs * 3).pexpire(hashKey(roomId), this.ttlMs * 3);
    }
  }

  /** The distinct users in a room now, each once however many sockets they have. */
  async members(roomId: string): Promise<User[]> {
    return (await this.membersOf([roomId])).get(roomId) ?? [];
  }

  /**
   * One round trip for any number of rooms (each presence notice and `GET /api/rooms` read this;
   * a join and a leave get their members from their own round trip):
   * per room, one script reads the live entries and their users together.
   */
  async membersOf(roomIds: string[]): Promise<Map<string, User[]>> {
    const result = new Map<string, User[]>();
    if (roomIds.length === 0) return result;
    const now = Date.now();
    const reads = this.redis.pipeline() as ChainableCommander & PresenceCommands;
    for (const id of roomIds) reads.presenceMembers(zsetKey(id), hashKey(id), now);
    const answers = answersOf(await reads.exec(), roomIds.length);
    roomIds.forEach((id, i) => result.set(id, usersOf(answers[i])));
    return result;
  }

  /** Drops every entry of a room (the room was deleted). */
  async clear(roomId: string): Promise<void> {
    await this.redis.del(zsetKey(roomId), hashKey(roomId));
  }
}

/** The scripts, queued on a pipeline (defineCommand adds them there too). */
interface PresenceCommands {
  presenceJoin(entriesKey: string, usersKey: string, ...args: (string | number)[]): ChainableCommander;
  presenceMembers(entriesKey: string, usersKey: string, now: number): ChainableCommander;
}

/** The replies of a pipeline of `count` commands; the first failed one fails the call. */
function answersOf(replies: [Error | null, unknown][] | null, count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => {
    const [error, reply] = replies?.[i] ?? [new Error('no answer')];
    if (error) throw error;
    return reply;
  });
}

/** The members script's reply: each user once, however many sockets (entries) they have. */
function usersOf(reply: unknown): User[] {
  const users = new Map<string, User>();
  for (const v of (reply as (string | null)[] | undefined) ?? []) {
    const user = v ? decodeUser(v) : undefined;
    if (user && !users.has(user.id)) users.set(user.id, user);
  }
  return [...users.values()];
}

const zsetKey = RedisKeys.presenceEntries;
const hashKey = RedisKeys.presenceUsers;
const encodeUser = (u: User) => `${u.id}\n${u.username}`;
function decodeUser(v: string): User | undefined {
  const i = v.indexOf('\n');
  return i > 0 ? { id: v.slice(0, i), username: v.slice(i + 1) } : undefined;
}

// KEYS: entries zset, users hash. ARGV: now. The users of the live entries (nil where an entry has
// none); HMGET in chunks, as Lua's unpack is bounded.
const MEMBERS_SCRIPT = `
local live = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
local users = {}
for i = 1, #live, 1000 do
  local chunk = redis.call('HMGET', KEYS[2], unpack(live, i, math.min(i + 999, #live)))
  for j = 1, #chunk do users[#users + 1] = chunk[j] end
end
return users
`;

// KEYS: entries zset, users hash. ARGV: now, entry, expiresAt, userId, username, capacity, keyTtlMs.
const JOIN_SCRIPT = `
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 1, #expired do
  redis.call('ZREM', KEYS[1], expired[i])
  redis.call('HDEL', KEYS[2], expired[i])
end
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
local seen = {}
local count = 0
local present = false
for i = 1, #live do
  local v = redis.call('HGET', KEYS[2], live[i])
  if v then
    local uid = string.match(v, '^([^\\n]*)')
    if not seen[uid] then seen[uid] = true; count = count + 1 end
    if uid == ARGV[4] then present = true end
  end
end
if (not present) and count >= tonumber(ARGV[6]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4] .. '\\n' .. ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
if present then return 2 end
return 1
`;

import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { ConfigModule } from '@app/config';
import { presenceEntry, REDIS, RedisConnections, RedisKeys, RedisModule, ReplicaRegistry, RoomPresence, type ClientSession } from '@app/redis';
import { eventually, uniqueName } from '@app/testing';

describe('Redis through the redis lib (real server)', () => {
  let redis: Redis;
  let connections: RedisConnections;
  let presence: RoomPresence;
  let registry: ReplicaRegistry;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot('it'), RedisModule] }).compile();
    redis = moduleRef.get(REDIS);
    connections = moduleRef.get(RedisConnections);
    presence = moduleRef.get(RoomPresence);
    registry = moduleRef.get(ReplicaRegistry);
    close = () => moduleRef.close();
  });

  afterAll(() => close());

  it('expires a key with a TTL', async () => {
    const key = uniqueName('it:ttl');
    await redis.set(key, 'x', 'PX', 300);
    expect(await redis.get(key)).toBe('x');
    await eventually('the key to expire', async () => (await redis.exists(key)) === 0 || undefined, 3000);
  });

  it('delivers pub/sub messages between two connections', async () => {
    const channel = uniqueName('it:chan');
    const subscriber = await connections.open('it-subscriber');
    const received: string[] = [];
    subscriber.on('message', (ch: string, msg: string) => ch === channel && received.push(msg));
    await subscriber.subscribe(channel);
    await redis.publish(channel, 'one');
    await redis.publish(channel, 'two');
    await eventually('both messages', () => received.length === 2 || undefined, 3000);
    expect(received).toEqual(['one', 'two']);
  });

  it("writes a replica's presence back on its next heartbeat after Redis lost it (a restart without persistence)", async () => {
    const room = uniqueName('it-room');
    const instance = uniqueName('it-gw');
    const alice = { id: uniqueName('u'), username: 'alice' };
    const entry = presenceEntry(instance, 'socket-1');
    expect((await presence.join(room, entry, alice, 10)).admitted).toBe('added');
    await presence.refresh(instance, [{ roomId: room, entry, user: alice }]);
    // What a restart without persistence does to the keys of this room and replica:
    await redis.del(RedisKeys.presenceEntries(room), RedisKeys.presenceUsers(room), RedisKeys.presenceMarker(instance));
    expect(await presence.members(room)).toEqual([]);
    await presence.refresh(instance, [{ roomId: room, entry, user: alice }]);
    expect(await presence.members(room)).toEqual([alice]);
  });

  it("lists each room's live members once per user, in one read for several rooms, also past a thousand entries", async () => {
    const [busy, small, empty] = [uniqueName('it-room'), uniqueName('it-room'), uniqueName('it-room')];
    const instance = uniqueName('it-gw');
    const alice = { id: uniqueName('u'), username: 'alice' };
    const bob = { id: uniqueName('u'), username: 'bob' };
    // Alice in 1,200 tabs (more than one HMGET chunk of the script), Bob in one.
    for (let tab = 0; tab < 1200; tab++) await presence.join(busy, presenceEntry(instance, `a-${tab}`), alice, 10);
    await presence.join(busy, presenceEntry(instance, 'b-0'), bob, 10);
    await presence.join(small, presenceEntry(instance, 'b-1'), bob, 10);
    // An entry whose user record is gone, and one already expired, are not members.
    await redis.zadd(RedisKeys.presenceEntries(small), Date.now() + 60_000, presenceEntry(instance, 'ghost'));
    await redis.zadd(RedisKeys.presenceEntries(small), Date.now() - 1, presenceEntry(instance, 'old'));
    await redis.hset(RedisKeys.presenceUsers(small), presenceEntry(instance, 'old'), `${alice.id}\nalice`);

    const sut = await presence.membersOf([busy, small, empty]);
    expect(sut.get(busy)?.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
    expect(sut.get(small)).toEqual([bob]);
    expect(sut.get(empty)).toEqual([]);
    expect(await presence.members(busy)).toHaveLength(2);
  });

  it('answers a join and a leave with the room members right after them, and refuses the last place twice', async () => {
    const room = uniqueName('it-room');
    const instance = uniqueName('it-gw');
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((username) => ({ id: uniqueName('u'), username }));
    expect(await presence.join(room, presenceEntry(instance, 'a-1'), alice!, 2)).toEqual({ admitted: 'added', members: [alice] });
    expect(await presence.join(room, presenceEntry(instance, 'a-2'), alice!, 2)).toEqual({ admitted: 'again', members: [alice] });
    const bobJoined = await presence.join(room, presenceEntry(instance, 'b-1'), bob!, 2);
    expect(bobJoined.admitted).toBe('added');
    expect(bobJoined.members.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
    // Full: Carol is not added, and the answer still lists who is in the room.
    const carolRefused = await presence.join(room, presenceEntry(instance, 'c-1'), carol!, 2);
    expect(carolRefused.admitted).toBe('full');
    expect(carolRefused.members.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
    // One of Alice's two tabs leaves: she is still a member; then the other.
    expect((await presence.leave(room, presenceEntry(instance, 'a-1'))).map((u) => u.username).sort()).toEqual(['alice', 'bob']);
    expect(await presence.leave(room, presenceEntry(instance, 'a-2'))).toEqual([bob]);
  });

  it('never brings back, on a heartbeat, an entry that a leave removed', async () => {
    const room = uniqueName('it-room');
    const instance = uniqueName('it-gw');
    const bob = { id: uniqueName('u'), username: 'bob' };
    const entry = presenceEntry(instance, 'socket-1');
    await presence.join(room, entry, bob, 10);
    await presence.refresh(instance, [{ roomId: room, entry, user: bob }]);
    await presence.leave(room, entry);
    // A beat that read the socket's rooms just before the leave:
    await presence.refresh(instance, [{ roomId: room, entry, user: bob }]);
    expect(await presence.members(room)).toEqual([]);
  });

  it("keeps a replica's admin sessions one by one, and tells its heartbeat to write them back after Redis lost them", async () => {
    const instance = uniqueName('it-gw');
    const session = (socketId: string): ClientSession => ({
      socketId,
      sessionId: `s-${socketId}`,
      user: { id: uniqueName('u'), username: 'carol' },
      instance,
      rooms: [],
      connectedAt: new Date(0).toISOString(),
      address: '127.0.0.1',
    });
    const record = { instance, port: 1, pid: 1, startedAt: '', lastBeatAt: '', connections: 2, rooms: 0 };
    await registry.putSession(session('a'), 10_000);
    await registry.putSession(session('b'), 10_000);
    await registry.dropSession(instance, 'a');
    expect(await registry.report(record, 10_000)).toBe(true);
    expect((await registry.sessions()).filter((s) => s.instance === instance).map((s) => s.socketId)).toEqual(['b']);
    await redis.del(RedisKeys.replicaSessions(instance)); // what a restart without persistence does
    expect(await registry.report(record, 10_000)).toBe(false);
    await registry.restoreSessions(instance, [session('b'), session('c')], 10_000);
    expect((await registry.sessions()).filter((s) => s.instance === instance).map((s) => s.socketId).sort()).toEqual(['b', 'c']);
  });
});

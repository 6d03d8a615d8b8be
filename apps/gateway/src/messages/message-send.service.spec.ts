import type { Redis } from 'ioredis';
import { loadConfig } from '@app/config';
import { ChatError, LIMITS, type ChatRecord, type MessageSendInput, type User } from '@app/contracts';
import type { ProducedPosition, ProduceRecord } from '@app/kafka';
import type { ChatMetrics } from '@app/observability';
import type { ChatSocket } from '../socket/socket-state';
import type { MessageProducer } from './message-producer.service';
import { MessageSendService } from './message-send.service';
import { SendDedup } from './send-dedup';

const alice: User = { id: 'u-alice', username: 'alice' };
const bob: User = { id: 'u-bob', username: 'bob' };

/** A connected socket of `user` whose joins to `rooms` were answered. */
function aSocket(user: User = alice, rooms: string[] = ['r1']): ChatSocket {
  const data = { user, sessionId: `s-${user.id}`, rooms: new Set(rooms), connectedAt: new Date(0).toISOString() };
  return { id: `sock-${user.id}-${Math.random()}`, data } as unknown as ChatSocket;
}

const aSend = (fields: Partial<MessageSendInput> = {}): MessageSendInput => ({ roomId: 'r1', clientMsgId: 'c-1', text: 'hello', ...fields });

/** A stub producer (no broker): records what it was given and answers consecutive offsets from 41. */
function stubProducer() {
  const state = { records: [] as ProduceRecord[], nextOffset: 41n, failNext: false, delayMs: 0 };
  const producer = {
    send: async (record: ProduceRecord): Promise<ProducedPosition> => {
      state.records.push(record);
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.failNext) {
        state.failNext = false;
        // What MessageProducer answers when Kafka refuses (callDependency maps it).
        throw new ChatError('unavailable', 'kafka is unavailable; retry later', 1000);
      }
      return { partition: 5, offset: state.nextOffset++ };
    },
  } as unknown as MessageProducer;
  return { producer, state };
}

/** A stub Redis (no server): the SET NX / GET / DEL that SendDedup uses, over a map; plain SETs can be made to fail. */
function stubRedis() {
  const state = { keys: new Map<string, string>(), failPlainSets: false };
  const redis = {
    set: async (key: string, value: string, ...args: unknown[]): Promise<'OK' | null> => {
      const nx = args.includes('NX');
      if (!nx && state.failPlainSets) throw new Error('redis connection lost');
      if (nx && state.keys.has(key)) return null;
      state.keys.set(key, value);
      return 'OK';
    },
    get: async (key: string): Promise<string | null> => state.keys.get(key) ?? null,
    del: async (key: string): Promise<number> => (state.keys.delete(key) ? 1 : 0),
  } as unknown as Redis;
  return { redis, state };
}

/** A stub ChatMetrics: only the counter the send path touches. */
const stubMetrics = () => ({ messagesReceived: { inc: () => undefined } }) as unknown as ChatMetrics;

function build(options: { ratePerSecond?: number } = {}) {
  const config = loadConfig({ JWT_SECRET: 'test-secret-of-enough-length', INSTANCE_ID: 'gw-test', MESSAGE_RATE_PER_SECOND: String(options.ratePerSecond ?? 50) });
  const { producer, state: produced } = stubProducer();
  const { redis, state: redisState } = stubRedis();
  const replica = () => new MessageSendService(producer, new SendDedup(redis), config, stubMetrics());
  return { sut: replica(), anotherReplica: replica, produced, redis: redisState };
}

const recordOf = (r: ProduceRecord): ChatRecord => JSON.parse(String(r.value)) as ChatRecord;

describe('MessageSendService (stub producer, SendDedup over a stub Redis, stub metrics)', () => {
  it('sends the text without its surrounding blanks', async () => {
    const { sut, produced } = build();
    const message = await sut.send(aSocket(), aSend({ text: '  hello there \n' }));
    expect(message.text).toBe('hello there');
    expect(recordOf(produced.records[0]!).text).toBe('hello there');
  });

  it('refuses an empty or blank text with bad_request and produces nothing', async () => {
    const { sut, produced } = build();
    await expect(sut.send(aSocket(), aSend({ text: '' }))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(sut.send(aSocket(), aSend({ text: ' \t\n ' }))).rejects.toMatchObject({ code: 'bad_request' });
    expect(produced.records).toHaveLength(0);
  });

  it(`refuses a text longer than ${LIMITS.textMax} characters with too_large, and takes one of exactly that length`, async () => {
    const { sut, produced } = build();
    await expect(sut.send(aSocket(), aSend({ text: 'x'.repeat(LIMITS.textMax + 1) }))).rejects.toMatchObject({ code: 'too_large' });
    expect(produced.records).toHaveLength(0);
    await expect(sut.send(aSocket(), aSend({ text: ` ${'x'.repeat(LIMITS.textMax)} ` }))).resolves.toMatchObject({ seq: 42 });
  });

  it('refuses a room the socket has not joined with forbidden', async () => {
    const { sut, produced } = build();
    await expect(sut.send(aSocket(alice, ['r2']), aSend({ roomId: 'r1' }))).rejects.toMatchObject({ code: 'forbidden' });
    expect(produced.records).toHaveLength(0);
  });

  it('answers rate_limited with how long to wait once a socket spent its burst of twice the rate', async () => {
    const { sut, produced } = build({ ratePerSecond: 1 });
    const socket = aSocket();
    await sut.send(socket, aSend({ clientMsgId: 'c-1' }));
    await sut.send(socket, aSend({ clientMsgId: 'c-2' }));
    const error = await sut.send(socket, aSend({ clientMsgId: 'c-3' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited' });
    expect((error as ChatError).retryAfterMs).toBeGreaterThan(0);
    expect((error as ChatError).retryAfterMs).toBeLessThanOrEqual(1000);
    expect(produced.records).toHaveLength(2);
    // Another socket has its own budget.
    await expect(sut.send(aSocket(), aSend({ clientMsgId: 'c-4' }))).resolves.toMatchObject({ text: 'hello' });
  });

  it("produces a new message once, keyed by its room, and answers it with seq = offset + 1 and the socket's user", async () => {
    const { sut, produced } = build();
    const smuggled = { ...aSend(), user: { id: 'u-mallory', username: 'mallory' } } as MessageSendInput;
    const message = await sut.send(aSocket(alice), smuggled);
    expect(produced.records).toHaveLength(1);
    const [sent] = produced.records;
    expect(sent!.key).toBe('r1');
    const record = recordOf(sent!);
    expect(record).toMatchObject({ v: 1, roomId: 'r1', clientMsgId: 'c-1', user: alice, text: 'hello' });
    expect(message).toEqual({ id: record.id, roomId: 'r1', seq: 42, clientMsgId: 'c-1', user: alice, text: 'hello', sentAt: record.sentAt });
  });

  it('answers a retried send with the original message and produces nothing, also on another replica', async () => {
    const { sut, anotherReplica, produced } = build();
    const socket = aSocket(alice);
    const original = await sut.send(socket, aSend({ text: 'first' }));
    await expect(sut.send(socket, aSend({ text: 'first' }))).resolves.toEqual(original);
    await expect(anotherReplica().send(aSocket(alice), aSend({ text: 'first' }))).resolves.toEqual(original);
    expect(produced.records).toHaveLength(1);
  });

  it('answers a retry that arrives while the first attempt is in flight with that attempt’s message', async () => {
    const { sut, produced } = build();
    produced.delayMs = 20;
    const [first, retry] = await Promise.all([sut.send(aSocket(alice), aSend()), sut.send(aSocket(alice), aSend())]);
    expect(retry).toEqual(first);
    expect(produced.records).toHaveLength(1);
  });

  it("refuses a clientMsgId that another user's message already holds with bad_request", async () => {
    const { sut, produced } = build();
    await sut.send(aSocket(alice), aSend({ clientMsgId: 'shared' }));
    await expect(sut.send(aSocket(bob), aSend({ clientMsgId: 'shared', text: 'mine' }))).rejects.toMatchObject({ code: 'bad_request' });
    expect(produced.records).toHaveLength(1);
  });

  it('gives the claim back and answers unavailable when Kafka refuses, so the retry produces', async () => {
    const { sut, produced, redis } = build();
    produced.failNext = true;
    const error = await sut.send(aSocket(alice), aSend()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unavailable', retryAfterMs: 1000 });
    expect(redis.keys.size).toBe(0);
    await expect(sut.send(aSocket(alice), aSend())).resolves.toMatchObject({ clientMsgId: 'c-1' });
    expect(produced.records).toHaveLength(2);
  });

  it('answers the message when Redis fails after Kafka accepted it', async () => {
    const { sut, produced, redis } = build();
    redis.failPlainSets = true;
    const message = await sut.send(aSocket(alice), aSend());
    expect(message).toMatchObject({ roomId: 'r1', clientMsgId: 'c-1', seq: 42, user: alice });
    expect(produced.records).toHaveLength(1);
  });
});

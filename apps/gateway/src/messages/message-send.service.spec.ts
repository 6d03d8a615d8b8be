import { loadConfig } from '@app/config';
import { ChatError, decodeChatRecord, LIMITS, type ChatRecord, type MessageSendInput, type User } from '@app/contracts';
import type { ProducedPosition, ProduceRecord } from '@app/kafka';
import type { ChatMetrics } from '@app/observability';
import type { ChatSocket } from '../socket/socket-state';
import type { MessageProducer } from './message-producer.service';
import type { LiveStream } from '../live/live-stream.service';
import { RetryWindow } from '../live/retry-window';
import { MessageSendService } from './message-send.service';

const alice: User = { id: 'u-alice', username: 'alice' };
const bob: User = { id: 'u-bob', username: 'bob' };

/** A connected socket of `user` whose joins to `rooms` were answered. */
function aSocket(user: User = alice, rooms: string[] = ['r1']): ChatSocket {
  const data = { user, sessionId: `s-${user.id}`, rooms: new Set(rooms), address: '127.0.0.1' };
  return { id: `sock-${user.id}-${Math.random()}`, data } as unknown as ChatSocket;
}

const aSend = (fields: Partial<MessageSendInput> = {}): MessageSendInput => ({ roomId: 'r1', clientMsgId: 'c-1', text: 'hello', ...fields });

/**
 * A stub log (no broker) shared by the replicas of a test: one partition, offsets from 41. Its
 * producer can refuse a record (`refuseNext`: nothing written) or write it and lose the answer
 * (`loseNextAnswer`: the ambiguous failure of a timeout), both answered `unavailable` as
 * MessageProducer does.
 */
function stubLog() {
  const state = { records: [] as ProduceRecord[], refuseNext: false, loseNextAnswer: false, delayMs: 0 };
  const firstOffset = 41n;
  const producer = {
    send: async (record: ProduceRecord): Promise<ProducedPosition> => {
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.refuseNext) {
        state.refuseNext = false;
        throw new ChatError('unavailable', 'kafka is unavailable; retry later', 1000);
      }
      state.records.push(record);
      if (state.loseNextAnswer) {
        state.loseNextAnswer = false;
        throw new ChatError('unavailable', 'kafka is unavailable; retry later', 1000);
      }
      return { partition: 0, offset: firstOffset + BigInt(state.records.length - 1) };
    },
  } as unknown as MessageProducer;
  /** A stub LiveStream of one replica: reads the stub log on demand into a real RetryWindow, as the stream does. */
  const liveStream = () => {
    const window = new RetryWindow(5 * 60_000);
    let read = 0;
    const readToEnd = () => {
      for (; read < state.records.length; read++) {
        const { key, value } = state.records[read]!;
        const decoded = decodeChatRecord(Buffer.from(key), Buffer.from(value), String(firstOffset + BigInt(read)));
        if (decoded.ok) window.remember(decoded.message, Date.now());
      }
    };
    return {
      firstOf: (roomId: string, clientMsgId: string) => window.firstOf(roomId, clientMsgId, Date.now()),
      hasRead: async (position: ProducedPosition) => {
        readToEnd();
        return position.offset < firstOffset + BigInt(read);
      },
      readToEnd,
    };
  };
  return { producer, liveStream, state };
}

/** A stub ChatMetrics: only what the send path touches. */
const stubMetrics = () => ({ messagesReceived: { inc: () => undefined }, sendReadBack: { observe: () => undefined } }) as unknown as ChatMetrics;

function build(options: { ratePerSecond?: number } = {}) {
  const config = loadConfig({ JWT_SECRET: 'test-secret-of-enough-length', INSTANCE_ID: 'gw-test', MESSAGE_RATE_PER_SECOND: String(options.ratePerSecond ?? 50) });
  const { producer, liveStream, state: log } = stubLog();
  const replica = () => {
    const live = liveStream();
    return { sut: new MessageSendService(producer, live as unknown as LiveStream, config, stubMetrics()), live };
  };
  const first = replica();
  return { sut: first.sut, live: first.live, anotherReplica: replica, log };
}

const recordOf = (r: ProduceRecord): ChatRecord => JSON.parse(String(r.value)) as ChatRecord;

describe('MessageSendService (stub log: stub producer and stub live streams over an array; real RetryWindow; stub metrics)', () => {
  it('sends the text without its surrounding blanks', async () => {
    const { sut, log: produced } = build();
    const message = await sut.send(aSocket(), aSend({ text: '  hello there \n' }));
    expect(message.text).toBe('hello there');
    expect(recordOf(produced.records[0]!).text).toBe('hello there');
  });

  it('refuses an empty or blank text with bad_request and produces nothing', async () => {
    const { sut, log: produced } = build();
    await expect(sut.send(aSocket(), aSend({ text: '' }))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(sut.send(aSocket(), aSend({ text: ' \t\n ' }))).rejects.toMatchObject({ code: 'bad_request' });
    expect(produced.records).toHaveLength(0);
  });

  it(`refuses a text longer than ${LIMITS.textMax} characters with too_large, and takes one of exactly that length`, async () => {
    const { sut, log: produced } = build();
    await expect(sut.send(aSocket(), aSend({ text: 'x'.repeat(LIMITS.textMax + 1) }))).rejects.toMatchObject({ code: 'too_large' });
    expect(produced.records).toHaveLength(0);
    await expect(sut.send(aSocket(), aSend({ text: ` ${'x'.repeat(LIMITS.textMax)} ` }))).resolves.toMatchObject({ seq: 42 });
  });

  it('refuses a room the socket has not joined with forbidden', async () => {
    const { sut, log: produced } = build();
    await expect(sut.send(aSocket(alice, ['r2']), aSend({ roomId: 'r1' }))).rejects.toMatchObject({ code: 'forbidden' });
    expect(produced.records).toHaveLength(0);
  });

  it('answers rate_limited with how long to wait once a socket spent its burst of twice the rate', async () => {
    const { sut, log: produced } = build({ ratePerSecond: 1 });
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
    const { sut, log: produced } = build();
    const smuggled = { ...aSend(), user: { id: 'u-mallory', username: 'mallory' } } as MessageSendInput;
    const message = await sut.send(aSocket(alice), smuggled);
    expect(produced.records).toHaveLength(1);
    const [sent] = produced.records;
    expect(sent!.key).toBe('r1');
    const record = recordOf(sent!);
    expect(record).toMatchObject({ v: 1, roomId: 'r1', clientMsgId: 'c-1', user: alice, text: 'hello' });
    expect(message).toEqual({ id: record.id, roomId: 'r1', seq: 42, clientMsgId: 'c-1', user: alice, text: 'hello', sentAt: record.sentAt });
  });

  it('answers a retried send with the original message and produces nothing, also on another replica that read the log', async () => {
    const { sut, anotherReplica, log } = build();
    const socket = aSocket(alice);
    const original = await sut.send(socket, aSend({ text: 'first' }));
    await expect(sut.send(socket, aSend({ text: 'first' }))).resolves.toEqual(original);
    const other = anotherReplica();
    other.live.readToEnd();
    await expect(other.sut.send(aSocket(alice), aSend({ text: 'first' }))).resolves.toEqual(original);
    expect(log.records).toHaveLength(1);
  });

  it('answers a retry on a replica that has not read the first record yet with the first record, whose second copy is then a repeat', async () => {
    const { sut, anotherReplica, log } = build();
    const original = await sut.send(aSocket(alice), aSend());
    const retry = await anotherReplica().sut.send(aSocket(alice), aSend());
    expect(retry).toEqual(original);
    expect(log.records).toHaveLength(2); // the second record is in the log, and judged a repeat by every reader
  });

  it('answers a retry that arrives while the first attempt is under way here with that attempt’s message', async () => {
    const { sut, log } = build();
    log.delayMs = 20;
    const [first, retry] = await Promise.all([sut.send(aSocket(alice), aSend()), sut.send(aSocket(alice), aSend())]);
    expect(retry).toEqual(first);
    expect(log.records).toHaveLength(1);
  });

  it("refuses a clientMsgId that another user's message already holds with bad_request", async () => {
    const { sut, log } = build();
    await sut.send(aSocket(alice), aSend({ clientMsgId: 'shared' }));
    await expect(sut.send(aSocket(bob), aSend({ clientMsgId: 'shared', text: 'mine' }))).rejects.toMatchObject({ code: 'bad_request' });
    expect(log.records).toHaveLength(1);
  });

  it('answers unavailable when Kafka refuses, and the retry produces the message', async () => {
    const { sut, log } = build();
    log.refuseNext = true;
    const error = await sut.send(aSocket(alice), aSend()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unavailable', retryAfterMs: 1000 });
    await expect(sut.send(aSocket(alice), aSend())).resolves.toMatchObject({ clientMsgId: 'c-1', seq: 42 });
    expect(log.records).toHaveLength(1);
  });

  it('answers the retry of an ambiguous failure (written, answer lost) with the record that was written', async () => {
    const { sut, anotherReplica, log } = build();
    log.loseNextAnswer = true;
    await expect(sut.send(aSocket(alice), aSend({ text: 'maybe' }))).rejects.toMatchObject({ code: 'unavailable' });
    const elsewhere = await anotherReplica().sut.send(aSocket(alice), aSend({ text: 'maybe' }));
    expect(elsewhere).toMatchObject({ seq: 42, text: 'maybe' });
    await expect(sut.send(aSocket(alice), aSend({ text: 'maybe' }))).resolves.toEqual(elsewhere);
  });
});

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { ChatMessage } from '@app/contracts';
import { ChatClient, clientsOnEveryReplica, historyWhenComplete, rest, roomWith, sourceAddress, until } from '@app/testing';

type Presence = { roomId: string; event: string; user: { id: string }; members: { id: string }[] };
const presenceOf = (c: ChatClient, roomId: string) =>
  c.events.filter((e) => e.event === 'presence' && (e.payload as Presence).roomId === roomId).map((e) => e.payload as Presence);
const seqs = (ms: ChatMessage[]) => ms.map((m) => m.seq);

describe('answers of PROTOCOL.md not covered elsewhere', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  describe('a room with 210 messages', () => {
    let writer: ChatClient;
    let roomId: string;
    let sent: ChatMessage[];

    beforeAll(async () => {
      writer = await ChatClient.connect({ sourceIp: sourceAddress(241) });
      opened.push(writer);
      roomId = await roomWith('long history', writer);
      sent = [];
      for (let i = 0; i < 210; i++) sent.push(await writer.send(roomId, `n${i}`));
      expect(await historyWhenComplete(writer.token, roomId, 210)).toHaveLength(210);
    });

    it('answers room:join without since with the newest 50, oldest first, and hasMore', async () => {
      const reader = await ChatClient.connect({ sourceIp: sourceAddress(242) });
      opened.push(reader);
      const answer = await reader.sdk.join(roomId);
      expect(seqs(answer.messages)).toEqual(seqs(sent.slice(-50)));
      expect(answer.hasOlder).toBe(true);
    });

    it('answers room:join with since one page at a time, and the client pages on with ?after=', async () => {
      const reader = await ChatClient.connect({ sourceIp: sourceAddress(243) });
      opened.push(reader);
      // The server's own page for `since`, raw (the SDK joins a room it never saw without since).
      const answer = await reader.ok('room:join', { roomId, since: 0 });
      expect(seqs(answer.messages)).toEqual(seqs(sent.slice(0, 200)));
      expect(answer.hasMore).toBe(true);
      const remaining = await rest(reader.token).history(roomId, { after: answer.messages.at(-1)!.seq });
      expect(seqs(remaining.messages)).toEqual(seqs(sent.slice(200)));
      expect(remaining.hasMore).toBe(false);
    });

    it('pages history with limit, before and neither, always oldest first', async () => {
      const api = rest(writer.token);
      const newest = await api.history(roomId);
      expect(seqs(newest.messages)).toEqual(seqs(sent.slice(-50)));
      expect(newest.hasMore).toBe(true);
      const before = await api.history(roomId, { before: sent[10]!.seq, limit: 100 });
      expect(seqs(before.messages)).toEqual(seqs(sent.slice(0, 10)));
      expect(before.hasMore).toBe(false);
      const first = await api.history(roomId, { after: 0, limit: 5 });
      expect(first.messages).toEqual(sent.slice(0, 5));
      expect(first.hasMore).toBe(true);
    });

    it('lists the room and shows its stats over REST', async () => {
      const api = rest(writer.token);
      const list = await api.rooms();
      expect(list.rooms.map((r) => r.id)).toContain(roomId);
      let room: Record<string, unknown> = {};
      for (let i = 0; i < 50 && room.messageCount !== 210; i++) {
        room = { ...(await api.room(roomId)).room };
        if (room.messageCount !== 210) await new Promise((r) => setTimeout(r, 200));
      }
      // The writer and the two readers of the tests above are in the room; only the writer wrote.
      expect(room).toMatchObject({ id: roomId, name: 'long history', createdBy: writer.user, memberCount: 3, messageCount: 210, participantCount: 1 });
      expect(typeof room.lastActivityAt).toBe('string');
    });
  });

  it('sends session on connect and answers rooms:list', async () => {
    const client = await ChatClient.connect({ sourceIp: sourceAddress(244) });
    opened.push(client);
    expect(client.session).toEqual({ userId: client.user.id, username: client.user.username, sessionId: expect.any(String), instance: expect.stringMatching(/^gateway-/) });
    const roomId = await roomWith('listed', client);
    const rooms = await client.sdk.rooms();
    expect(rooms.find((r) => r.id === roomId)).toMatchObject({ name: 'listed', memberCount: 1 });
  });

  it('announces join and leave (also by disconnect) to the room on other replicas, with the members', async () => {
    const [[a], [b], [c]] = await clientsOnEveryReplica(3, 1, 245);
    opened.push(a!, b!, c!);
    const roomId = await roomWith('presence', a!);
    await b!.sdk.join(roomId);
    await until(() => presenceOf(a!, roomId).some((p) => p.event === 'join' && p.user.id === b!.user.id), 5000, 'join notice');
    const join = presenceOf(a!, roomId).find((p) => p.event === 'join' && p.user.id === b!.user.id)!;
    expect(join.members.map((m) => m.id).sort()).toEqual([a!.user.id, b!.user.id].sort());
    await b!.sdk.leave(roomId);
    await c!.sdk.join(roomId);
    c!.close();
    await until(() => presenceOf(a!, roomId).filter((p) => p.event === 'leave').length === 2, 5000, 'two leave notices');
    const leaves = presenceOf(a!, roomId).filter((p) => p.event === 'leave');
    expect(leaves.map((p) => p.user.id)).toEqual([b!.user.id, c!.user.id]);
    expect(leaves[1]!.members.map((m) => m.id)).toEqual([a!.user.id]);
  });

  it('answers rate_limited with retryAfterMs to a socket that sends faster than its budget', async () => {
    const client = await ChatClient.connect({ sourceIp: sourceAddress(248) });
    opened.push(client);
    const roomId = await roomWith('flood', client);
    // Raw: the SDK would wait out rate_limited and send again; this checks the server's answer itself.
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) => client.call('message:send', { roomId, text: `f${i}`, clientMsgId: randomUUID() })),
    );
    const limited = answers.filter((a) => !a.ok);
    expect(limited.length).toBeGreaterThan(0);
    for (const a of limited) expect(a).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
    expect(answers.filter((a) => a.ok).length).toBeGreaterThanOrEqual(100);
  });

  it('dead-letters a record that can never be stored, with its reason, and keeps persisting its partition', async () => {
    const client = await ChatClient.connect({ sourceIp: sourceAddress(249) });
    opened.push(client);
    const roomId = await roomWith('dead letters', client);
    const kafka = new Kafka({ clientId: 'e2e-dead-letter', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const marker = randomUUID();
    await producer.send({ topic: 'chat.messages', acks: -1, messages: [{ key: roomId, value: `not json ${marker}` }] });
    await producer.disconnect();

    const after = await client.send(roomId, 'after the bad record');
    expect((await historyWhenComplete(client.token, roomId, 1)).map((m) => m.id)).toEqual([after.id]);

    const consumer = kafka.consumer({ groupId: `e2e-dead-letter-${marker}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'chat.messages.dead-letter', fromBeginning: true });
    let reason: string | undefined;
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value?.toString().includes(marker)) reason = message.headers?.reason?.toString();
      },
    });
    try {
      await until(() => reason !== undefined, 20_000, 'the dead letter');
    } finally {
      await consumer.disconnect();
    }
    expect(reason).toBe('value is not JSON');
  });
});

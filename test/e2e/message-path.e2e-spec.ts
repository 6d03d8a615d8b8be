import { ChatClient, clientsOnEveryReplica, historyWhenComplete, sourceAddress, until, roomWith } from '@app/testing';

const CLIENTS = 30;
const ROOMS = 3;
const PER_CLIENT = 10;

describe('the message path through Nginx, three gateways, Kafka, the persister and MongoDB', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  it('lands clients from different /24s on all three replicas, and a message sent on one reaches the other two', async () => {
    const [[a], [b], [c]] = await clientsOnEveryReplica(3);
    opened.push(a!, b!, c!);
    expect(new Set([a!.instance, b!.instance, c!.instance]).size).toBe(3);

    const roomId = await roomWith('three replicas', a!, b!, c!);
    const sent = await a!.send(roomId, 'hello from one replica');

    for (const client of [a!, b!, c!]) {
      await until(() => client.roomMessages(roomId).length === 1, 10_000, `delivery to ${client.instance}`);
      expect(client.roomMessages(roomId)[0]).toEqual(sent);
    }
    expect(sent.user).toEqual(a!.user);
  });

  it('gives every member of a room its messages exactly once, in one order, with increasing seq, and history agrees', async () => {
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => ChatClient.connect({ sourceIp: sourceAddress(100 + i) })),
    );
    opened.push(...clients);
    expect(new Set(clients.map((c) => c.instance)).size).toBe(3);

    const rooms = await Promise.all(
      Array.from({ length: ROOMS }, async (_, r) => (await clients[r]!.sdk.createRoom(`busy ${r}`)).id),
    );
    const roomOf = (i: number) => rooms[i % ROOMS]!;
    await Promise.all(clients.map((c, i) => c.sdk.join(roomOf(i))));

    // Every client sends PER_CLIENT messages, all clients at once (300 messages in all).
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 0; k < PER_CLIENT; k++) await c.send(roomOf(i), `${c.user.username} #${k}`);
      }),
    );

    const perRoom = CLIENTS / ROOMS;
    for (const [r, roomId] of rooms.entries()) {
      const members = clients.filter((_, i) => i % ROOMS === r);
      const expected = perRoom * PER_CLIENT;
      for (const m of members) await until(() => m.roomMessages(roomId).length >= expected, 20_000, `room ${r} delivery`);
      await new Promise((res) => setTimeout(res, 300)); // a duplicate would arrive by now
      const reference = members[0]!.roomMessages(roomId);
      expect(reference).toHaveLength(expected);
      expect(new Set(reference.map((m) => m.id)).size).toBe(expected);
      for (let i = 1; i < reference.length; i++) expect(reference[i]!.seq).toBeGreaterThan(reference[i - 1]!.seq);
      for (const m of members) expect(m.roomMessages(roomId)).toEqual(reference);
      // Each sender's own messages keep the order they were sent in.
      for (const sender of members) {
        const own = reference.filter((msg) => msg.user.id === sender.user.id).map((msg) => msg.text);
        expect(own).toEqual(Array.from({ length: PER_CLIENT }, (_, k) => `${sender.user.username} #${k}`));
      }
      const stored = await historyWhenComplete(members[0]!.token, roomId, expected);
      expect(stored).toEqual(reference);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { ChatClient, clientsOnEveryReplica, historyWhenComplete, reconnectElsewhere, until, roomWith } from '@app/testing';

describe('a retried message:send (same clientMsgId)', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  it('answers the original message and produces nothing new, live or in history', async () => {
    const [[alice], [bob]] = await clientsOnEveryReplica(2, 1, 40);
    opened.push(alice!, bob!);
    const roomId = await roomWith('retries', alice!, bob!);

    const clientMsgId = randomUUID();
    const first = await alice!.send(roomId, 'once', clientMsgId);
    const again = await alice!.send(roomId, 'once', clientMsgId);
    const concurrent = await Promise.all([1, 2, 3].map(() => alice!.send(roomId, 'once', clientMsgId)));
    expect(again).toEqual(first);
    for (const c of concurrent) expect(c).toEqual(first);

    const marker = await alice!.send(roomId, 'after the retries');
    await until(() => bob!.roomMessages(roomId).some((m) => m.id === marker.id), 10_000, 'the marker');
    expect(bob!.roomMessages(roomId).map((m) => m.clientMsgId)).toEqual([clientMsgId, marker.clientMsgId]);
    const stored = await historyWhenComplete(alice!.token, roomId, 2);
    expect(stored.map((m) => m.id)).toEqual([first.id, marker.id]);
  });

  it('stays one message when the first ack was lost with the connection and the retry goes to another replica', async () => {
    const [[writer], [reader]] = await clientsOnEveryReplica(2, 1, 45);
    opened.push(writer!, reader!);
    const roomId = await roomWith('lost ack', writer!, reader!);

    // Send, and drop the connection before the ack can arrive.
    const clientMsgId = randomUUID();
    writer!.socket.emit('message:send', { roomId, text: 'maybe sent', clientMsgId }, () => undefined);
    writer!.socket.disconnect();

    // The same user retries from another replica.
    const retry = await reconnectElsewhere(writer!, writer!.session.instance, 51);
    opened.push(retry);
    expect(retry.user).toEqual(writer!.user);
    await retry.ok('room:join', { roomId });
    const answer = await retry.send(roomId, 'maybe sent', clientMsgId);
    expect(answer.clientMsgId).toBe(clientMsgId);

    const marker = await retry.send(roomId, 'marker');
    await until(() => reader!.roomMessages(roomId).some((m) => m.id === marker.id), 10_000, 'the marker');
    expect(reader!.roomMessages(roomId).filter((m) => m.clientMsgId === clientMsgId)).toEqual([answer]);
    const stored = await historyWhenComplete(retry.token, roomId, 2);
    expect(stored.filter((m) => m.clientMsgId === clientMsgId)).toEqual([answer]);
    expect(stored).toHaveLength(2);
  });
});

import { randomUUID } from 'node:crypto';
import { ChatClient, clientsOnEveryReplica, historyWhenComplete, reconnectElsewhere, restartedSince, sourceAddress, until, roomWith, topologyPid } from '@app/testing';

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

    // Send, and drop the connection before the ack can arrive (raw: the SDK would wait for the ack).
    const clientMsgId = randomUUID();
    const lost = writer!.call('message:send', { roomId, text: 'maybe sent', clientMsgId });
    writer!.close();
    await expect(lost).rejects.toThrow(/dropped before the answer/);

    // The same user retries from another replica.
    const retry = await reconnectElsewhere(writer!, writer!.session.instance, 51);
    opened.push(retry);
    expect(retry.user).toEqual(writer!.user);
    await retry.sdk.join(roomId);
    const answer = await retry.send(roomId, 'maybe sent', clientMsgId);
    expect(answer.clientMsgId).toBe(clientMsgId);

    const marker = await retry.send(roomId, 'marker');
    await until(() => reader!.roomMessages(roomId).some((m) => m.id === marker.id), 10_000, 'the marker');
    expect(reader!.roomMessages(roomId).filter((m) => m.clientMsgId === clientMsgId)).toEqual([answer]);
    const stored = await historyWhenComplete(retry.token, roomId, 2);
    expect(stored.filter((m) => m.clientMsgId === clientMsgId)).toEqual([answer]);
    expect(stored).toHaveLength(2);
  });

  it('answers a retry on a gateway that restarted after the first send with the original (it reads the retry window from Kafka before it listens)', async () => {
    const [[writer], [reader]] = await clientsOnEveryReplica(2, 1, 60);
    opened.push(writer!, reader!);
    const roomId = await roomWith('retry after a restart', writer!, reader!);
    const clientMsgId = randomUUID();
    const first = await writer!.send(roomId, 'sent before the restart', clientMsgId);

    // The reader's replica is killed; supervisord starts it again with an empty memory.
    const restarted = reader!.instance;
    const before = topologyPid(restarted);
    process.kill(before, 'SIGKILL');
    reader!.close();
    let retry: ChatClient | undefined;
    await until(() => restartedSince(restarted, before), 15_000, `${restarted} restarted`);
    // The same user, from an address that lands on the restarted replica once it is back.
    const deadline = Date.now() + 30_000;
    for (let n = 60; !retry && Date.now() < deadline; n = n >= 120 ? 60 : n + 1) {
      const c = await ChatClient.connect({ token: writer!.token, user: writer!.user, sourceIp: sourceAddress(n) }).catch(() => undefined);
      if (c?.instance === restarted) retry = c;
      else c?.close();
    }
    expect(retry?.instance).toBe(restarted);
    opened.push(retry!);
    await retry!.sdk.join(roomId);

    expect(await retry!.send(roomId, 'sent before the restart', clientMsgId)).toEqual(first);
    const marker = await retry!.send(roomId, 'marker');
    await until(() => retry!.roomMessages(roomId).some((m) => m.id === marker.id), 10_000, 'the marker');
    // Nothing was delivered again on the restarted replica, and history holds the message once.
    expect(retry!.roomMessages(roomId).map((m) => m.clientMsgId)).toEqual([marker.clientMsgId]);
    const stored = await historyWhenComplete(writer!.token, roomId, 2);
    expect(stored.map((m) => m.id)).toEqual([first.id, marker.id]);
  }, 90_000);
});

import type { ChatMessage } from '@app/contracts';
import { ChatClient, clientsOnEveryReplica, historyWhenComplete, reconnectElsewhere, until, roomWith } from '@app/testing';

const seqs = (ms: ChatMessage[]) => ms.map((m) => m.seq);

/** Sends `count` messages one after another in the background, until done or stopped. */
function keepSending(client: ChatClient, roomId: string, count: number) {
  let stop = false;
  const sent: ChatMessage[] = [];
  const done = (async () => {
    for (let i = 0; i < count && !stop; i++) sent.push(await client.send(roomId, `flow ${i}`));
  })();
  return { sent, stop: async () => ((stop = true), await done), done };
}

describe('joining and reconnecting while messages flow', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  it('gives a joiner history plus live messages with no gap and no duplicate', async () => {
    const [[sender], [joinerA], [joinerB]] = await clientsOnEveryReplica(3, 1, 60);
    opened.push(sender!, joinerA!, joinerB!);
    const roomId = await roomWith('flowing', sender!);

    const flow = keepSending(sender!, roomId, 400);
    await until(() => flow.sent.length >= 30, 10_000, 'traffic to start');
    const answers: { messages: ChatMessage[]; hasMore: boolean }[] = [];
    for (const joiner of [joinerA!, joinerB!]) {
      answers.push(await joiner.ok('room:join', { roomId, since: 0 }));
      await new Promise((r) => setTimeout(r, 150));
    }
    await flow.stop();
    const total = flow.sent.length;

    for (const [i, joiner] of [joinerA!, joinerB!].entries()) {
      await until(() => {
        const seen = [...answers[i]!.messages, ...joiner.roomMessages(roomId)];
        return seen.length >= total;
      }, 10_000, 'the joiner to see every message');
      await new Promise((r) => setTimeout(r, 200));
      const seen = [...answers[i]!.messages, ...joiner.roomMessages(roomId)];
      expect(answers[i]!.hasMore).toBe(false);
      expect(seqs(seen)).toEqual(seqs(flow.sent));
    }
  });

  it('recovers exactly the missed messages with since, on a different replica, in order', async () => {
    const [[sender], [reader]] = await clientsOnEveryReplica(2, 1, 70);
    opened.push(sender!, reader!);
    const roomId = await roomWith('reconnect', sender!, reader!);
    for (let i = 0; i < 5; i++) await sender!.send(roomId, `before ${i}`);
    await until(() => reader!.roomMessages(roomId).length === 5, 10_000, 'the first five');
    const lastSeen = reader!.roomMessages(roomId).at(-1)!.seq;
    const firstInstance = reader!.instance;
    reader!.close();

    const missed: ChatMessage[] = [];
    for (let i = 0; i < 12; i++) missed.push(await sender!.send(roomId, `while away ${i}`));

    // Back on another replica (another /24), asking for everything after the last seq it saw.
    const back = await reconnectElsewhere(reader!, firstInstance, 71);
    opened.push(back);
    const answer = await back.ok('room:join', { roomId, since: lastSeen });
    expect(answer.messages).toEqual(missed);
    expect(answer.hasMore).toBe(false);

    const live = await sender!.send(roomId, 'live again');
    await until(() => back.roomMessages(roomId).length === 1, 10_000, 'live after recovery');
    expect(back.roomMessages(roomId)).toEqual([live]);
    expect(await historyWhenComplete(sender!.token, roomId, 18)).toHaveLength(18);
  });
});

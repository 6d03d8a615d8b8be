import type { Kafka } from 'kafkajs';
import { ChatError } from '@app/contracts';
import { PERSISTER_GROUP_ID, type MessagesTopic } from './messages-topic';
import { PersistedProgress } from './persisted-progress';

const TOPIC = 'chat.messages';

/**
 * A stub Kafka (no broker) whose admin answers the persister group's committed offsets from a map
 * the test moves forward, and counts the OffsetFetch requests it receives.
 */
function stubKafka(committed: Record<number, string> = {}) {
  const state = { committed, fetches: 0, failing: false, delayMs: 0, groupsAsked: [] as string[] };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchOffsets: async ({ groupId, topics }: { groupId: string; topics: string[] }) => {
      state.fetches += 1;
      state.groupsAsked.push(groupId);
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.failing) throw new Error('broker down');
      const partitions = Object.entries(state.committed).map(([p, offset]) => ({ partition: Number(p), offset, metadata: null }));
      return topics.map((topic) => ({ topic, partitions }));
    },
  };
  const kafka = { admin: () => admin } as unknown as Kafka;
  return { kafka, state };
}

function build(committed: Record<number, string> = {}) {
  const { kafka, state } = stubKafka(committed);
  const topic = { name: TOPIC } as unknown as MessagesTopic;
  return { sut: new PersistedProgress(kafka, topic), state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PersistedProgress.waitFor (stub Kafka admin)', () => {
  it('resolves at once when the persister already committed past the position', async () => {
    const { sut, state } = build({ 3: '10' });
    await expect(sut.waitFor(3, 10, 1000)).resolves.toBeUndefined();
    expect(state.fetches).toBe(1);
    expect(state.groupsAsked).toEqual([PERSISTER_GROUP_ID]);
  });

  it('resolves once a later poll sees the persister commit the position', async () => {
    const { sut, state } = build({ 3: '7' });
    let resolved = false;
    const waiting = sut.waitFor(3, 10, 2000).then(() => (resolved = true));
    await sleep(30);
    expect(resolved).toBe(false);
    state.committed[3] = '10';
    await waiting;
    expect(state.fetches).toBeGreaterThanOrEqual(2);
  });

  it('asks Kafka nothing when the position is the start of the partition (nextOffset 0)', async () => {
    const { sut, state } = build();
    await expect(sut.waitFor(3, 0, 1000)).resolves.toBeUndefined();
    expect(state.fetches).toBe(0);
  });

  it('answers unavailable when the persister does not get there within the bound', async () => {
    const { sut } = build({ 3: '7' });
    const started = Date.now();
    const error = await sut.waitFor(3, 10, 60).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers unavailable when Kafka cannot tell the position, and asks again on the next join', async () => {
    const { sut, state } = build({ 3: '10' });
    state.failing = true;
    const error = await sut.waitFor(3, 10, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ code: 'unavailable' });
    state.failing = false;
    await expect(sut.waitFor(3, 10, 1000)).resolves.toBeUndefined();
    expect(state.fetches).toBe(2);
  });

  it('lets joins waiting at the same moment share one OffsetFetch, and reads again after 40 ms', async () => {
    const { sut, state } = build({ 0: '5', 3: '10', 7: '2' });
    await Promise.all([sut.waitFor(3, 10, 1000), sut.waitFor(0, 5, 1000), sut.waitFor(7, 1, 1000), sut.waitFor(3, 4, 1000)]);
    expect(state.fetches).toBe(1);
    await sleep(45);
    await sut.waitFor(3, 10, 1000);
    expect(state.fetches).toBe(2);
  });
});

describe('PersistedProgress.committed (stub Kafka admin)', () => {
  it('reads ahead while readers keep coming: a reader in the second half of an answer\'s 40 ms gets it at once, and the next answer is ready for the readers after', async () => {
    const { sut, state } = build({ 3: '10' });
    await expect(sut.committed(3)).resolves.toBe(10n);
    await sleep(25);
    state.committed[3] = '12';
    await expect(sut.committed(3)).resolves.toBe(10n); // at once, from the answer in hand
    await sleep(5);
    expect(state.fetches).toBe(2); // and the next one was asked for meanwhile
    await sleep(15); // past the first answer's 40 ms
    state.delayMs = 500; // a slow broker from now on: a reader that had to wait for it would take 500 ms
    const started = Date.now();
    await expect(sut.committed(3)).resolves.toBe(12n);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('never answers from a read older than 40 ms, even when reading ahead failed', async () => {
    const { sut, state } = build({ 3: '10' });
    await sut.committed(3);
    await sleep(25);
    state.failing = true;
    await sut.committed(3); // starts a read ahead, which fails
    await sleep(20);
    await expect(sut.committed(3)).rejects.toMatchObject({ code: 'unavailable' });
    state.failing = false;
    state.committed[3] = '11';
    await expect(sut.committed(3)).resolves.toBe(11n);
  });
});

import type { RoomDocument, RoomsRepository } from '@app/mongo';
import { RoomDirectory } from './room-directory.service';

const doc = (id: string, messageCount: number): RoomDocument => ({ _id: id, name: `room ${id}`, createdAt: new Date('2026-01-01T00:00:00.000Z'), createdBy: { id: 'u', username: 'u' }, messageCount, lastActivityAt: null });

/** RoomDirectory over a stub store whose reads the test answers one by one. */
function build() {
  const pending: { id: string; answer: (d: RoomDocument | null | Error) => void }[] = [];
  const rooms = {
    findById: (id: string) =>
      new Promise<RoomDocument | null>((resolve, reject) => pending.push({ id, answer: (d) => (d instanceof Error ? reject(d) : resolve(d)) })),
  } as unknown as RoomsRepository;
  return { sut: new RoomDirectory(rooms), pending, settle: () => new Promise((r) => setImmediate(r)) };
}

/** Room 'r' read once (messageCount 1), then the clock moved past its cache time (fake timers). */
async function knownLongAgo(directory: ReturnType<typeof build>) {
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  const first = directory.sut.require('r');
  await directory.settle();
  directory.pending.shift()!.answer(doc('r', 1));
  await first;
  jest.setSystemTime(Date.now() + 6_000);
  return directory;
}

describe('RoomDirectory (stub store)', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a room once for all the joins that ask for it together', async () => {
    const { sut, pending, settle } = build();
    const joins = Array.from({ length: 20 }, () => sut.require('r'));
    await settle();
    expect(pending).toHaveLength(1);
    pending[0]!.answer(doc('r', 1));
    expect((await Promise.all(joins)).every((d) => d.messageCount === 1)).toBe(true);
  });

  it('answers a room read long ago at once, and reads it again in the background for the joins after', async () => {
    const { sut, pending, settle } = await knownLongAgo(build());
    // Old: answered as read, without waiting for the store.
    expect((await sut.require('r')).messageCount).toBe(1);
    expect((await sut.require('r')).messageCount).toBe(1);
    await settle();
    expect(pending).toHaveLength(1); // one read again, for both
    pending.shift()!.answer(doc('r', 7));
    await settle();
    expect((await sut.require('r')).messageCount).toBe(7);
    expect(pending).toHaveLength(0);
  });

  it('keeps answering a known room while the store cannot be read, and forgets one the store no longer has', async () => {
    const { sut, pending, settle } = await knownLongAgo(build());
    await sut.require('r');
    await settle();
    pending.shift()!.answer(new Error('store down'));
    await settle();
    expect((await sut.require('r')).messageCount).toBe(1);
    await settle();
    pending.shift()!.answer(null); // deleted meanwhile
    await settle();
    const after = sut.require('r');
    await settle();
    pending.shift()!.answer(null);
    await expect(after).rejects.toMatchObject({ code: 'not_found' });
  });

  it('does not keep a room forgotten (deleted) while it was being read', async () => {
    const { sut, pending, settle } = build();
    const join = sut.require('r');
    await settle();
    sut.forget('r');
    pending.shift()!.answer(doc('r', 1));
    await join;
    const next = sut.require('r');
    await settle();
    expect(pending).toHaveLength(1); // read again: the room was not kept from the read before its deletion
    pending.shift()!.answer(null);
    await expect(next).rejects.toMatchObject({ code: 'not_found' });
  });
});

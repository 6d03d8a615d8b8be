import { RoomStats, type RoomCounts } from './room-stats';

const counts = (...entries: [string, number, string][]): RoomCounts =>
  new Map(entries.map(([room, count, at]) => [room, { count, lastAt: new Date(at) }]));

describe('RoomStats (stub store)', () => {
  it('stores the counts of many batches as one update per room, with the latest activity', async () => {
    const stored: RoomCounts[] = [];
    const sut = new RoomStats(async (c) => void stored.push(c));
    sut.add(counts(['a', 2, '2026-01-01T00:00:01Z'], ['b', 1, '2026-01-01T00:00:02Z']));
    sut.add(counts(['a', 3, '2026-01-01T00:00:00Z']));
    await sut.flush();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toEqual(counts(['a', 5, '2026-01-01T00:00:01Z'], ['b', 1, '2026-01-01T00:00:02Z']));
    await sut.flush();
    expect(stored).toHaveLength(1);
  });

  it('keeps the counts when the store fails and stores them with the next ones', async () => {
    const stored: RoomCounts[] = [];
    let down = true;
    const sut = new RoomStats(async (c) => {
      if (down) throw new Error('store down');
      stored.push(c);
    });
    sut.add(counts(['a', 2, '2026-01-01T00:00:01Z']));
    await expect(sut.flush()).rejects.toThrow('store down');
    sut.add(counts(['a', 1, '2026-01-01T00:00:05Z']));
    down = false;
    await sut.flush();
    expect(stored).toEqual([counts(['a', 3, '2026-01-01T00:00:05Z'])]);
    expect(sut.pendingRooms).toBe(0);
  });
});

import { RoomLastSeqs } from './room-last-seqs';

/** Rooms named `p<partition>-...` live on that partition. */
const partitionOf = (roomId: string) => Number(roomId.slice(1, roomId.indexOf('-')));

describe('RoomLastSeqs', () => {
  it('needs history up to a room\'s newest record read here, never beyond the join\'s position', () => {
    const sut = new RoomLastSeqs(partitionOf);
    sut.startAt(0, 100n);
    sut.read('p0-a', 105);
    sut.read('p0-b', 110);
    sut.read('p0-a', 112);
    expect(sut.historyNeeded('p0-a', 0, 120)).toBe(112);
    expect(sut.historyNeeded('p0-b', 0, 120)).toBe(110);
    expect(sut.historyNeeded('p0-a', 0, 111)).toBe(111);
  });

  it('needs history up to the first offset read here for a room not seen since (its records before it have seq ≤ that offset)', () => {
    const sut = new RoomLastSeqs(partitionOf);
    sut.startAt(0, 100n);
    sut.startAt(1, 7n);
    expect(sut.historyNeeded('p0-quiet', 0, 150)).toBe(100);
    expect(sut.historyNeeded('p1-quiet', 1, 150)).toBe(7);
  });

  it('needs history up to the join\'s own position on a partition it knows nothing of', () => {
    expect(new RoomLastSeqs(partitionOf).historyNeeded('p3-x', 3, 42)).toBe(42);
  });

  it('forgets the least recently written rooms beyond its size, raising their partition\'s floor to what they had', () => {
    const sut = new RoomLastSeqs(partitionOf, 2);
    sut.startAt(0, 10n);
    sut.startAt(1, 10n);
    sut.read('p0-a', 50);
    sut.read('p1-b', 60);
    sut.read('p0-a', 70); // a is now the most recent
    sut.read('p0-c', 80); // forgets b (partition 1)
    expect(sut.historyNeeded('p1-b', 1, 100)).toBe(60);
    expect(sut.historyNeeded('p1-other', 1, 100)).toBe(60);
    expect(sut.historyNeeded('p0-other', 0, 100)).toBe(10);
    expect(sut.historyNeeded('p0-a', 0, 100)).toBe(70);
    expect(sut.historyNeeded('p0-c', 0, 100)).toBe(80);
  });
});

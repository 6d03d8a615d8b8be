import type { ChatMessage } from '@app/contracts';
import { RoomTails } from './room-tails';

const message = (roomId: string, seq: number): ChatMessage => ({
  id: `${roomId}-${seq}`,
  roomId,
  seq,
  clientMsgId: `c${seq}`,
  user: { id: 'u1', username: 'alice' },
  text: `m${seq}`,
  sentAt: '2026-01-01T00:00:00.000Z',
});
const seqs = (page: { messages: ChatMessage[] } | undefined) => page?.messages.map((m) => m.seq);
const room = (roomId: string, ...list: number[]) => list.map((s) => message(roomId, s));

describe('RoomTails', () => {
  it('answers nothing for a room until a join warmed it from history', () => {
    const sut = new RoomTails({ perRoom: 100, total: 1000 });
    sut.track('r', 11);
    sut.append(message('r', 12));
    expect(sut.newest('r', 12, 50)).toBeUndefined();
    expect(sut.after('r', 0, 12, 50)).toBeUndefined();
  });

  it('after warming, answers joins like history would: the run of history joined to the live messages', () => {
    const sut = new RoomTails({ perRoom: 100, total: 1000 });
    sut.track('r', 11); // the live stream handled up to seq 10
    sut.append(message('r', 14)); // arrives while history is read
    sut.warm('r', room('r', 3, 5, 9), 10, 1);
    expect(seqs(sut.newest('r', 14, 50))).toEqual([3, 5, 9, 14]);
    expect(sut.newest('r', 14, 50)?.hasMore).toBe(false);
    expect(seqs(sut.newest('r', 14, 2))).toEqual([9, 14]);
    expect(sut.newest('r', 14, 2)?.hasMore).toBe(true);
    expect(seqs(sut.after('r', 4, 14, 50))).toEqual([5, 9, 14]);
    expect(sut.after('r', 4, 14, 2)).toEqual({ messages: room('r', 5, 9), hasMore: true });
    expect(sut.after('r', 14, 14, 2)).toEqual({ messages: [], hasMore: false });
    // A join answers up to its own position; later live messages come through its JoinBuffer.
    expect(seqs(sut.newest('r', 9, 50))).toEqual([3, 5, 9]);
  });

  it('says older messages exist when history was read only in part, and refuses a since before the run', () => {
    const sut = new RoomTails({ perRoom: 100, total: 1000 });
    sut.track('r', 21);
    sut.warm('r', room('r', 15, 18, 20), 20, 15); // the newest 3 of a longer history
    expect(sut.newest('r', 20, 3)?.hasMore).toBe(true);
    expect(seqs(sut.after('r', 14, 20, 50))).toEqual([15, 18, 20]);
    expect(sut.after('r', 13, 20, 50)).toBeUndefined(); // 14 might be a message of this room
  });

  it('keeps the run a join read after its since, and answers from it only what lies within it', () => {
    const sut = new RoomTails({ perRoom: 100, total: 1000 });
    sut.track('r', 101);
    sut.warm('r', room('r', 92, 95, 100), 100, 91); // a join with since 90: seqs 91..100 of a longer history
    expect(seqs(sut.after('r', 90, 100, 50))).toEqual([92, 95, 100]);
    expect(seqs(sut.after('r', 94, 100, 50))).toEqual([95, 100]);
    expect(sut.after('r', 89, 100, 50)).toBeUndefined();
    expect(sut.newest('r', 100, 50)).toBeUndefined(); // the newest 50 reach further back
    expect(seqs(sut.newest('r', 100, 2))).toEqual([95, 100]);
    sut.warm('r', room('r', 40, 60, 92, 95, 100), 100, 40); // the larger read arrives later
    expect(seqs(sut.after('r', 50, 100, 50))).toEqual([60, 92, 95, 100]);
  });

  it('keeps a room\'s newest messages only, and then refuses what it dropped', () => {
    const sut = new RoomTails({ perRoom: 3, total: 1000 });
    sut.track('r', 1);
    sut.warm('r', [], 0, 1);
    for (const s of [1, 2, 3, 4, 5]) sut.append(message('r', s));
    expect(seqs(sut.newest('r', 5, 3))).toEqual([3, 4, 5]);
    expect(sut.newest('r', 5, 3)?.hasMore).toBe(true);
    expect(sut.newest('r', 5, 50)).toBeUndefined(); // history would answer 5 messages
    expect(sut.after('r', 1, 5, 50)).toBeUndefined();
    expect(seqs(sut.after('r', 2, 5, 50))).toEqual([3, 4, 5]);
  });

  it('drops the least recently joined rooms first when over its total', () => {
    const sut = new RoomTails({ perRoom: 10, total: 4 });
    for (const id of ['a', 'b']) {
      sut.track(id, 3);
      sut.warm(id, room(id, 1, 2), 2, 1);
    }
    sut.track('a', 3); // a joined again: b is now the oldest
    sut.append(message('a', 3));
    expect(sut.newest('b', 2, 10)).toBeUndefined();
    expect(seqs(sut.newest('a', 3, 10))).toEqual([1, 2, 3]);
    expect(sut.size).toEqual({ rooms: 1, messages: 3 });
  });

  it('ignores history that would leave a gap before what it holds', () => {
    const sut = new RoomTails({ perRoom: 10, total: 100 });
    sut.track('r', 30);
    sut.warm('r', room('r', 10, 20), 25, 10); // 26..29 unknown
    expect(sut.newest('r', 30, 10)).toBeUndefined();
  });

  it('never holds a message twice or out of order', () => {
    const sut = new RoomTails({ perRoom: 10, total: 100 });
    sut.track('r', 5);
    sut.append(message('r', 6));
    sut.append(message('r', 6));
    sut.warm('r', room('r', 2, 4), 4, 1);
    sut.warm('r', room('r', 2, 4), 4, 1); // a second join warming at once
    expect(seqs(sut.newest('r', 10, 10))).toEqual([2, 4, 6]);
  });
});

import type { ChatMessage } from '@app/contracts';
import { seededRandom } from '@app/testing';
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

/**
 * RoomTails driven as the gateway drives it (JoinBuffer's registration, JoinHistory's page and
 * background reads, the live stream's appends), at random, against what history answers for the
 * same join: every page it gives must be history's page. A seeded generator: a failure replays.
 */
describe('RoomTails against history, at random', () => {
  /** History as MessagesRepository answers it: `range` (since < seq ≤ until) and `newest` (seq ≤ until). */
  const historyOf = (all: ChatMessage[]) => ({
    range(since: number, until: number, limit: number) {
      const within = all.filter((m) => m.seq > since && m.seq <= until);
      return { messages: within.slice(0, limit), hasMore: within.length > limit };
    },
    newest(until: number, limit: number) {
      const upTo = all.filter((m) => m.seq <= until);
      return { messages: upTo.slice(-limit), hasMore: upTo.length > limit };
    },
  });

  it.each([1, 2, 3, 4, 5])('answers every join like history, through live appends, store reads arriving late, flushes and evictions (seed %i)', (seed) => {
    const rnd = seededRandom(seed);
    const rooms = ['r', 's', 't'];
    // The partition's log: each position holds a message of one of the rooms, or of another room.
    const log: (ChatMessage | undefined)[] = [];
    for (let position = 1; position <= 3_000; position++) {
      const pick = Math.floor(rnd() * 5);
      log.push(pick < rooms.length ? message(rooms[pick]!, position) : undefined);
    }
    const sut = new RoomTails({ perRoom: 60, total: 150 });
    const live: ChatMessage[] = []; // what the live stream has handled, in order
    let handled = 0; // the live position (the last position handled)
    const history = (roomId: string) => historyOf(live.filter((m) => m.roomId === roomId));
    /** Background reads of a room's newest messages (JoinHistory.warm), applied a few steps later. */
    const pendingWarms: { roomId: string; untilSeq: number; dueAt: number }[] = [];
    let fromMemory = 0;
    let joins = 0;

    for (let step = 0; step < 4_000 && handled < log.length; step++) {
      const r = rnd();
      if (r < 0.55) {
        const next = log[handled++];
        if (next) {
          live.push(next);
          sut.append(next);
        }
      } else if (r < 0.97) {
        // A join of a room at the live position, with or without since.
        const roomId = rooms[Math.floor(rnd() * rooms.length)]!;
        const untilSeq = handled;
        sut.track(roomId, untilSeq + 1);
        const own = live.filter((m) => m.roomId === roomId);
        const limit = 1 + Math.floor(rnd() * 80);
        const cursorPick = rnd();
        const since =
          cursorPick < 0.3 ? undefined
          : cursorPick < 0.4 ? 0
          : cursorPick < 0.5 ? (own.at(-1)?.seq ?? 0) // nothing missed
          : cursorPick < 0.6 ? Math.max(0, (own[0]?.seq ?? 1) - 1) // from the first message
          : Math.floor(rnd() * (untilSeq + 5));
        const expected = since === undefined ? history(roomId).newest(untilSeq, limit) : history(roomId).range(since, untilSeq, limit);
        const held = since === undefined ? sut.newest(roomId, untilSeq, limit) : sut.after(roomId, since, untilSeq, limit);
        joins++;
        if (held) {
          fromMemory++;
          expect(held).toEqual(expected);
        } else {
          // JoinHistory: the page from the store is kept when it is a whole run up to the join's
          // position, and the room's newest messages are read in the background.
          const from = since !== undefined ? (expected.hasMore ? undefined : since + 1) : expected.hasMore ? expected.messages[0]!.seq : 1;
          if (from !== undefined) sut.warm(roomId, expected.messages, untilSeq, from);
          if (!sut.isWarm(roomId)) pendingWarms.push({ roomId, untilSeq, dueAt: step + Math.floor(rnd() * 30) });
        }
      } else {
        // The cache is lost (an admin eviction, a restart of the room's tail).
        sut.forget(rooms[Math.floor(rnd() * rooms.length)]!);
      }
      for (const warm of pendingWarms.filter((w) => w.dueAt <= step)) {
        pendingWarms.splice(pendingWarms.indexOf(warm), 1);
        const newest = history(warm.roomId).newest(warm.untilSeq, 60);
        sut.warm(warm.roomId, newest.messages, warm.untilSeq, newest.hasMore ? newest.messages[0]!.seq : 1);
      }
      expect(sut.size.messages).toBeLessThanOrEqual(150);
    }
    // Not a test that passes by answering nothing: most joins came from memory.
    expect(joins).toBeGreaterThan(1_000);
    expect(fromMemory / joins).toBeGreaterThan(0.3);
  });
});

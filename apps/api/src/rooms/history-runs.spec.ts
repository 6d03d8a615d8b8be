import type { ChatMessage } from '@app/contracts';
import { HistoryRuns } from './history-runs';

const message = (seq: number): ChatMessage => ({ id: `m${seq}`, roomId: 'r', seq, clientMsgId: `c${seq}`, user: { id: 'u', username: 'u' }, text: 't', sentAt: '2026-01-01T00:00:00.000Z' });
const run = (from: number, to: number, seqs: number[]) => ({ from, to, messages: seqs.map(message) });
const seqs = (page: { messages: ChatMessage[] } | undefined) => page?.messages.map((m) => m.seq);

describe('HistoryRuns', () => {
  it('answers before-pages inside a held stretch, and says when older messages exist', () => {
    const sut = new HistoryRuns(1000);
    sut.add('r', run(10, 30, [10, 12, 20, 25, 30]));
    expect(sut.before('r', 26, 2)).toEqual({ messages: [message(20), message(25)], hasMore: true });
    expect(seqs(sut.before('r', 31, 5))).toEqual([10, 12, 20, 25, 30]);
    expect(sut.before('r', 31, 5)?.hasMore).toBe(true); // the stretch starts at 10: older ones exist
    expect(sut.before('r', 12, 2)).toBeUndefined(); // only one held below 12, and older ones exist
    expect(sut.before('r', 32, 2)).toBeUndefined(); // 31 is not held
  });

  it('answers the start of a room completely', () => {
    const sut = new HistoryRuns(1000);
    sut.add('r', run(1, 30, [10, 12]));
    expect(sut.before('r', 12, 5)).toEqual({ messages: [message(10)], hasMore: false });
    expect(sut.before('r', 1, 5)).toEqual({ messages: [], hasMore: false });
  });

  it('answers an after-page only when one more message than asked is held (so hasMore is known)', () => {
    const sut = new HistoryRuns(1000);
    sut.add('r', run(11, 40, [11, 20, 30, 40]));
    expect(sut.after('r', 10, 2)).toEqual({ messages: [message(11), message(20)], hasMore: true });
    expect(sut.after('r', 20, 2)).toBeUndefined(); // 30, 40 and then? not known
    expect(sut.after('r', 9, 2)).toBeUndefined(); // 10 is not held
  });

  it('merges stretches that meet, and answers across the seam', () => {
    const sut = new HistoryRuns(1000);
    sut.add('r', run(1, 20, [5, 15]));
    sut.add('r', run(21, 40, [25, 35]));
    expect(sut.before('r', 30, 3)).toEqual({ messages: [message(5), message(15), message(25)], hasMore: false });
    expect(seqs(sut.after('r', 4, 3))).toEqual([5, 15, 25]);
  });

  it('keeps stretches with a gap apart', () => {
    const sut = new HistoryRuns(1000);
    sut.add('r', run(1, 20, [5, 15]));
    sut.add('r', run(30, 40, [30, 35]));
    expect(sut.before('r', 31, 2)).toBeUndefined(); // 21..29 unknown
  });

  it('keeps the stretch just read and what is nearest it when one room outgrows half the cache', () => {
    const sut = new HistoryRuns(8); // a room may hold 4
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    sut.add('r', run(11, 13, range(11, 13)));
    sut.add('r', run(8, 10, range(8, 10))); // a scroll back: 8..13 held, 4 of them kept, the oldest
    expect(seqs(sut.before('r', 12, 4))).toEqual([8, 9, 10, 11]);
    expect(sut.before('r', 12, 4)?.hasMore).toBe(true);
    expect(sut.before('r', 13, 1)).toBeUndefined(); // 12 is gone
    sut.add('r', run(1, 7, range(4, 7))); // the room's start: 4..11 held, 4 kept
    expect(sut.before('r', 8, 10)).toEqual({ messages: [4, 5, 6, 7].map(message), hasMore: false });
    expect(sut.before('r', 9, 1)).toBeUndefined(); // 8 is gone
    sut.add('r', run(8, 20, range(15, 20))); // 8..14 hold no message: 4..7 and 15..20 held, 16..19 kept (its middle)
    expect(seqs(sut.after('r', 15, 3))).toEqual([16, 17, 18]);
    expect(sut.before('r', 16, 1)).toBeUndefined();
    expect(sut.after('r', 7, 1)).toBeUndefined();
  });

  it('forgets the least recently used rooms first, and keeps nothing when turned off', () => {
    const sut = new HistoryRuns(4);
    sut.add('a', run(1, 10, [1, 2]));
    sut.add('b', run(1, 10, [1, 2]));
    sut.before('a', 3, 1);
    sut.add('c', run(1, 10, [1, 2]));
    expect(sut.before('b', 3, 1)).toBeUndefined();
    expect(seqs(sut.before('a', 3, 1))).toEqual([2]);
    const off = new HistoryRuns(0);
    off.add('a', run(1, 10, [1, 2]));
    expect(off.before('a', 3, 1)).toBeUndefined();
  });
});

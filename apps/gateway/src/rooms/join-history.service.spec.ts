import { loadConfig } from '@app/config';
import type { ChatMessage, HistoryPage } from '@app/contracts';
import type { PersistedProgress } from '@app/kafka';
import type { MessagesRepository } from '@app/mongo';
import { ChatMetrics } from '@app/observability';
import { RoomTails } from '../live/room-tails';
import { JoinHistory } from './join-history.service';

const aMessage = (seq: number): ChatMessage => ({
  id: `m${seq}`,
  roomId: 'r1',
  seq,
  clientMsgId: `c${seq}`,
  user: { id: 'u-bob', username: 'bob' },
  text: `message ${seq}`,
  sentAt: '2026-01-01T00:00:00.000Z',
});
const seqs = (page: HistoryPage) => page.messages.map((m) => m.seq);

/** JoinHistory with real RoomTails over a stub store (history holds seq 1..stored) and a stub PersistedProgress that counts waits. */
function build(stored: number, perRoom = 1000, warmingStalls = false) {
  const config = loadConfig({ JWT_SECRET: 'test-secret-of-enough-length', ROOM_TAIL_MESSAGES: String(perRoom), JOIN_PAGE_SIZE: '5', HISTORY_PAGE_SIZE: '3' });
  const history = Array.from({ length: stored }, (_, i) => aMessage(i + 1));
  const reads: string[] = [];
  const messages = {
    newest: async (_roomId: string, until: number, limit: number): Promise<HistoryPage> => {
      reads.push(`newest ${until} ${limit}`);
      if (warmingStalls && limit === perRoom) return new Promise<HistoryPage>(() => undefined); // a busy store
      const upTo = history.filter((m) => m.seq <= until);
      return { messages: upTo.slice(-limit), hasMore: upTo.length > limit };
    },
    range: async (_roomId: string, since: number, until: number, limit: number): Promise<HistoryPage> => {
      reads.push(`range ${since} ${until} ${limit}`);
      const after = history.filter((m) => m.seq > since && m.seq <= until);
      return { messages: after.slice(0, limit), hasMore: after.length > limit };
    },
  } as unknown as MessagesRepository;
  const waits: number[] = [];
  const progress = { waitFor: async (_partition: number, nextOffset: number) => void waits.push(nextOffset) } as unknown as PersistedProgress;
  const tails = new RoomTails(config.chat.roomTail);
  const sut = new JoinHistory(tails, progress, messages, new ChatMetrics(config), config);
  /** What the live stream does when a join registers at `untilSeq`, then delivers `live`. */
  const register = (untilSeq: number) => tails.track('r1', untilSeq + 1);
  const deliver = (...list: number[]) => list.forEach((s) => tails.append(aMessage(s)));
  return { sut, reads, waits, register, deliver };
}

/** Lets the background warming read finish. */
const settled = () => new Promise((r) => setTimeout(r, 10));

describe('JoinHistory (stub store, stub persister progress, real RoomTails)', () => {
  it('answers the first join of a room with a read of its own page, keeps the room in memory meanwhile, then answers later joins from memory without waiting for the persister', async () => {
    const t = build(20);
    t.register(20);
    expect(seqs(await t.sut.page('r1', 0, undefined, 20, 20))).toEqual([18, 19, 20]);
    await settled();
    expect([...t.reads].sort()).toEqual(['newest 20 1000', 'newest 20 3']);
    expect(t.waits).toEqual([20]);

    t.deliver(21, 22);
    t.register(22);
    expect(seqs(await t.sut.page('r1', 0, undefined, 22, 22))).toEqual([20, 21, 22]);
    expect(await t.sut.page('r1', 0, 10, 22, 22)).toEqual({ messages: [11, 12, 13, 14, 15].map(aMessage), hasMore: true });
    expect(seqs(await t.sut.page('r1', 0, 19, 22, 22))).toEqual([20, 21, 22]);
    expect(t.reads).toHaveLength(2);
    expect(t.waits).toHaveLength(1);
  });

  it('waits for history only up to the room\'s newest record, not the live position of its partition', async () => {
    const t = build(12);
    t.register(20);
    expect(seqs(await t.sut.page('r1', 0, undefined, 20, 12))).toEqual([10, 11, 12]);
    expect(t.waits).toEqual([12]);
  });

  it('answers what a join asked up to its own position only (later messages reach it live)', async () => {
    const t = build(10);
    t.register(10);
    await t.sut.page('r1', 0, undefined, 10, 10);
    await settled();
    t.deliver(11, 12);
    expect(seqs(await t.sut.page('r1', 0, 8, 10, 10))).toEqual([9, 10]);
    expect(t.reads).toHaveLength(2);
  });

  it('reads from the store a since older than what it keeps of the room', async () => {
    const t = build(100, 10);
    t.register(100);
    expect(await t.sut.page('r1', 0, 50, 100, 100)).toEqual({ messages: [51, 52, 53, 54, 55].map(aMessage), hasMore: true });
    await settled();
    expect(await t.sut.page('r1', 0, 50, 100, 100)).toEqual({ messages: [51, 52, 53, 54, 55].map(aMessage), hasMore: true });
    expect([...t.reads].sort()).toEqual(['newest 100 10', 'range 50 100 5', 'range 50 100 5']);
  });

  it('lets the joins of a room that arrive together each read their own page, and share one read into memory', async () => {
    const t = build(20);
    t.register(20);
    const first = t.sut.page('r1', 0, undefined, 20, 20);
    t.deliver(21);
    t.register(21);
    const second = t.sut.page('r1', 0, 15, 21, 21);
    expect(seqs(await first)).toEqual([18, 19, 20]);
    expect(seqs(await second)).toEqual([16, 17, 18, 19, 20]);
    await settled();
    expect([...t.reads].sort()).toEqual(['newest 20 1000', 'newest 20 3', 'range 15 21 5']);
  });

  it('answers the joins right after the first one from the run the first one read, while the larger read is still under way', async () => {
    const t = build(100, 1000, true);
    t.register(100);
    expect(seqs(await t.sut.page('r1', 0, 95, 100, 100))).toEqual([96, 97, 98, 99, 100]);
    t.deliver(101);
    t.register(101);
    expect(seqs(await t.sut.page('r1', 0, 97, 101, 101))).toEqual([98, 99, 100, 101]);
    expect(await t.sut.page('r1', 0, 90, 101, 101)).toEqual({ messages: [91, 92, 93, 94, 95].map(aMessage), hasMore: true }); // older: the store
    expect([...t.reads].sort()).toEqual(['newest 100 1000', 'range 90 101 5', 'range 95 100 5']);
  });

  it('reads the store every time when its memory is off', async () => {
    const t = build(10, 0);
    t.register(10);
    await t.sut.page('r1', 0, undefined, 10, 10);
    await t.sut.page('r1', 0, undefined, 10, 10);
    expect(t.reads).toEqual(['newest 10 3', 'newest 10 3']);
  });
});

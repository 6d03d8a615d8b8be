import type { ChatMessage, HistoryPage } from '@app/contracts';
import type { MessagesTopic, PersistedProgress } from '@app/kafka';
import type { MessagesRepository, PageQuery, RoomsRepository } from '@app/mongo';
import { HistoryPages } from './history-pages.service';

const message = (seq: number): ChatMessage => ({ id: `m${seq}`, roomId: 'r', seq, clientMsgId: `c${seq}`, user: { id: 'u', username: 'u' }, text: 't', sentAt: '2026-01-01T00:00:00.000Z' });

/** HistoryPages over stubbed store and Kafka: counts store reads; the committed offset is set by the test. */
function build(committed: () => Promise<bigint>) {
  const reads: PageQuery[] = [];
  let stored = [1, 2, 3, 4, 5, 6].map(message);
  const messages = {
    page: async (_roomId: string, q: PageQuery): Promise<HistoryPage> => {
      reads.push(q);
      const older = stored.filter((m) => q.before === undefined || m.seq < q.before);
      return { messages: older.slice(-q.limit), hasMore: older.length > q.limit };
    },
  } as unknown as MessagesRepository;
  const rooms = { findById: async (id: string) => (id === 'r' ? { _id: 'r' } : null) } as unknown as RoomsRepository;
  const topic = { partitionOf: () => 0 } as unknown as MessagesTopic;
  const progress = { committed } as unknown as PersistedProgress;
  const sut = new HistoryPages(messages, rooms, topic, progress);
  return { sut, reads, store: (seqs: number[]) => (stored = seqs.map(message)) };
}

describe('HistoryPages (stub store and Kafka)', () => {
  it('answers a page below the committed offset from memory after the first read', async () => {
    const { sut, reads } = build(async () => 6n);
    const first = await sut.page('r', { limit: 2, before: 5 });
    expect(await sut.page('r', { limit: 2, before: 5 })).toEqual(first);
    expect(first.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect(reads).toHaveLength(1);
  });

  it('reads the newest page again once the partition committed more', async () => {
    let committed = 6n;
    const { sut, reads, store } = build(async () => committed);
    expect((await sut.page('r', { limit: 2 })).messages.map((m) => m.seq)).toEqual([5, 6]);
    await sut.page('r', { limit: 2 });
    expect(reads).toHaveLength(1);
    store([1, 2, 3, 4, 5, 6, 7]);
    committed = 7n;
    expect((await sut.page('r', { limit: 2 })).messages.map((m) => m.seq)).toEqual([6, 7]);
    expect(reads).toHaveLength(2);
  });

  it('never keeps a page that may still change, nor any page when Kafka cannot tell the position', async () => {
    const { sut, reads } = build(async () => 3n);
    await sut.page('r', { limit: 2, before: 6 });
    await sut.page('r', { limit: 2, before: 6 });
    expect(reads).toHaveLength(2);
    const blind = build(async () => Promise.reject(new Error('kafka down')));
    await blind.sut.page('r', { limit: 2, before: 3 });
    await blind.sut.page('r', { limit: 2, before: 3 });
    expect(blind.reads).toHaveLength(2);
  });

  it('answers not_found for an unknown room', async () => {
    const { sut } = build(async () => 6n);
    await expect(sut.page('nope', { limit: 2 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

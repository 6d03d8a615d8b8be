import type { AppConfig } from '@app/config';
import { ChatMetrics } from '@app/observability';
import type { ChatMessage, HistoryPage } from '@app/contracts';
import type { MessagesTopic, PersistedProgress } from '@app/kafka';
import type { MessagesRepository, PageQuery, RoomsRepository } from '@app/mongo';
import { HistoryPages } from './history-pages.service';

const message = (seq: number): ChatMessage => ({ id: `m${seq}`, roomId: 'r', seq, clientMsgId: `c${seq}`, user: { id: 'u', username: 'u' }, text: 't', sentAt: '2026-01-01T00:00:00.000Z' });
const seqs = (page: HistoryPage) => page.messages.map((m) => m.seq);

/** HistoryPages over a stub store and stub Kafka: counts store reads; the committed offset is set by the test. */
function build(committed: () => Promise<bigint>, cacheMessages = 1000) {
  const reads: string[] = [];
  const roomReads: string[] = [];
  let stored = Array.from({ length: 1000 }, (_, i) => message(i + 1));
  let failing = false;
  const messages = {
    page: async (_roomId: string, q: PageQuery): Promise<HistoryPage> => {
      reads.push(`page ${JSON.stringify(q)}`);
      if (failing) throw new Error('store down');
      if (q.after !== undefined) {
        const newer = stored.filter((m) => m.seq > q.after!);
        return { messages: newer.slice(0, q.limit), hasMore: newer.length > q.limit };
      }
      const older = stored.filter((m) => q.before === undefined || m.seq < q.before);
      return { messages: older.slice(-q.limit), hasMore: older.length > q.limit };
    },
    range: async (_roomId: string, since: number, until: number, limit: number): Promise<HistoryPage> => {
      reads.push(`range ${since} ${until} ${limit}`);
      if (failing) throw new Error('store down');
      const within = stored.filter((m) => m.seq > since && m.seq <= until);
      return { messages: within.slice(0, limit), hasMore: within.length > limit };
    },
  } as unknown as MessagesRepository;
  const rooms = {
    findById: async (id: string) => {
      roomReads.push(id);
      if (failing) throw new Error('store down');
      return id === 'r' ? { _id: 'r' } : null;
    },
  } as unknown as RoomsRepository;
  const topic = { ensure: () => Promise.resolve(1), partitionOf: () => 0 } as unknown as MessagesTopic;
  const progress = { committed } as unknown as PersistedProgress;
  const config = { instanceId: 'api-test', api: { historyCacheMessages: cacheMessages } } as AppConfig;
  const metrics = new ChatMetrics(config);
  const sut = new HistoryPages(messages, rooms, topic, progress, metrics, config);
  const answered = async (source: 'memory' | 'store') => (await metrics.historyPages.get()).values.find((v) => v.labels.source === source)?.value ?? 0;
  return { sut, reads, roomReads, answered, store: (list: number[]) => (stored = list.map(message)), failReads: (on: boolean) => (failing = on) };
}

describe('HistoryPages (stub store and Kafka)', () => {
  it('answers a scroll back through final history with one store read per stretch', async () => {
    const { sut, reads, answered } = build(async () => 1000n);
    const pages: number[][] = [];
    for (let before = 600, limit = 40; before < 640; before++, limit = 40 + (before % 21)) {
      pages.push(seqs(await sut.page('r', { limit, before })));
    }
    expect(pages[0]).toEqual(Array.from({ length: 40 }, (_, i) => 560 + i));
    expect(pages.at(-1)).toEqual(Array.from({ length: 40 + (639 % 21) }, (_, i) => 639 - (40 + (639 % 21)) + i));
    expect(reads).toHaveLength(2); // one stretch: 200 older and 200 newer than the first cursor
    // chat_history_pages_total says where the pages came from.
    expect([await answered('store'), await answered('memory')]).toEqual([1, 39]);
  });

  it('reads the next stretch ahead of a scroll back, so no page after the first waits for the store', async () => {
    const { sut, reads, answered } = build(async () => 1000n);
    for (let before = 900; before > 1; before -= 40) {
      const page = await sut.page('r', { limit: 40, before });
      expect(seqs(page)).toEqual(Array.from({ length: Math.min(40, before - 1) }, (_, i) => Math.max(1, before - 40) + i));
      expect(page.hasMore).toBe(before > 41);
    }
    // 23 pages: the first read 200 each way; the rest came from memory, read 200 at a time ahead.
    expect([await answered('store'), await answered('memory')]).toEqual([1, 22]);
    expect(reads.filter((r) => r.startsWith('page'))).toHaveLength(1 + Math.ceil((900 - 1 - 200) / 200));
  });

  it('reads the next stretch ahead of a scroll forward, up to the committed position', async () => {
    const { sut, reads, answered } = build(async () => 1000n);
    for (let after = 100; after < 900; after += 40) expect(seqs(await sut.page('r', { limit: 40, after }))).toEqual(Array.from({ length: 40 }, (_, i) => after + 1 + i));
    expect([await answered('store'), await answered('memory')]).toEqual([1, 19]);
    expect(reads.every((r) => r.startsWith('range'))).toBe(true);
  });

  it('reads ahead of before-pages that move forward too (a reader catching up)', async () => {
    const { sut, answered } = build(async () => 1000n);
    for (let before = 100; before < 990; before += 30) expect(seqs(await sut.page('r', { limit: 20, before }))).toEqual(Array.from({ length: 20 }, (_, i) => before - 20 + i));
    expect([await answered('store'), await answered('memory')]).toEqual([1, 29]);
  });

  it('answers from the store as before when a read ahead fails', async () => {
    const { sut, reads, answered, failReads } = build(async () => 1000n);
    await sut.page('r', { limit: 40, before: 600 }); // holds 400..599 and 600..799
    failReads(true);
    expect(seqs(await sut.page('r', { limit: 40, before: 480 }))).toHaveLength(40); // near the edge: reads ahead, which fails
    await new Promise((resolve) => setImmediate(resolve));
    failReads(false);
    expect(seqs(await sut.page('r', { limit: 40, before: 380 }))).toEqual(Array.from({ length: 40 }, (_, i) => 340 + i));
    expect(await answered('store')).toBe(2);
    expect(reads.filter((r) => r.startsWith('page'))).toHaveLength(3);
  });

  it('answers after-pages of final history from the stretch read at the first one', async () => {
    const { sut, reads } = build(async () => 1000n);
    expect(seqs(await sut.page('r', { limit: 3, after: 500 }))).toEqual([501, 502, 503]);
    expect(await sut.page('r', { limit: 3, after: 510 })).toEqual({ messages: [511, 512, 513].map(message), hasMore: true });
    expect(reads).toHaveLength(1);
  });

  it('reads from the store what is not final yet, every time', async () => {
    const { sut, reads, answered } = build(async () => 500n);
    expect(seqs(await sut.page('r', { limit: 2, before: 700 }))).toEqual([698, 699]);
    await sut.page('r', { limit: 2, before: 700 });
    expect(reads.filter((r) => r.startsWith('page'))).toHaveLength(2);
    expect([await answered('store'), await answered('memory')]).toEqual([2, 0]);
    expect(await sut.page('r', { limit: 3, after: 998 })).toEqual({ messages: [999, 1000].map(message), hasMore: false });
  });

  it('reads the newest page again once the partition committed more', async () => {
    let committed = 6n;
    const { sut, reads, store } = build(async () => committed);
    store([1, 2, 3, 4, 5, 6]);
    expect(seqs(await sut.page('r', { limit: 2 }))).toEqual([5, 6]);
    await sut.page('r', { limit: 2 });
    expect(reads).toHaveLength(1);
    store([1, 2, 3, 4, 5, 6, 7]);
    committed = 7n;
    expect(seqs(await sut.page('r', { limit: 2 }))).toEqual([6, 7]);
    expect(reads).toHaveLength(2);
  });

  it('keeps nothing when Kafka cannot tell the position', async () => {
    const blind = build(async () => Promise.reject(new Error('kafka down')));
    await blind.sut.page('r', { limit: 2, before: 3 });
    await blind.sut.page('r', { limit: 2, before: 3 });
    await blind.sut.page('r', { limit: 2 });
    await blind.sut.page('r', { limit: 2 });
    expect(blind.reads).toHaveLength(4);
  });

  it('reads every page from the store, and only that page, when its memory is off', async () => {
    const { sut, reads } = build(async () => 1000n, 0);
    await sut.page('r', { limit: 2, before: 600 });
    await sut.page('r', { limit: 2, before: 600 });
    expect(reads).toEqual(['page {"limit":2,"before":600}', 'page {"limit":2,"before":600}']);
  });

  it('reads a room\'s existence once for all its concurrent readers, and again for one it did not find', async () => {
    const { sut, roomReads } = build(async () => 1000n);
    await Promise.all(Array.from({ length: 50 }, (_, i) => sut.page('r', { limit: 10, before: 500 + i })));
    expect(roomReads).toEqual(['r']);
    await expect(sut.page('nope', { limit: 2 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(sut.page('nope', { limit: 2 })).rejects.toMatchObject({ code: 'not_found' });
    expect(roomReads).toEqual(['r', 'nope', 'nope']); // not found is not kept: a room created now is found at once
  });

  it('answers not_found for an unknown room', async () => {
    const { sut } = build(async () => 6n);
    await expect(sut.page('nope', { limit: 2 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

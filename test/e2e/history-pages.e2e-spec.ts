import { MongoClient } from 'mongodb';
import type { HistoryQuery } from '@app/client';
import type { ChatMessage, HistoryPage } from '@app/contracts';
import { COLLECTIONS, type MessageDocument } from '@app/mongo';
import { ChatClient, eventually, historyWhenComplete, metricValue, rest, roomWith, seededRandom, seedRoom, sourceAddress, supervise, TOPOLOGY_API_PORT } from '@app/testing';

/**
 * History pages (PROTOCOL.md "History paging") through Nginx equal what the store holds, whichever
 * path answers them: the api's memory of final history (stretches around earlier cursors, the
 * newest page) or the store itself (issue: history at any depth). Random cursors and limits, a
 * user scrolling back and forth, the edges (first and last message, cursors past either end, an
 * empty room), and all of it again after the api restarted with its memory gone.
 * `chat_history_pages_total{source}` shows that memory answered, so the test cannot pass on the
 * store path alone.
 */
const SIZE = 2_000;
const API = `http://127.0.0.1:${TOPOLOGY_API_PORT}`;

/** Pages answered by the api so far, by source (its own /metrics). */
async function pagesBySource(): Promise<{ memory: number; store: number }> {
  const count = (source: string) => metricValue(TOPOLOGY_API_PORT, 'chat_history_pages_total', { source });
  return { memory: await count('memory'), store: await count('store') };
}

describe('history pages from memory and from the store', () => {
  const opened: ChatClient[] = [];
  afterAll(() => opened.forEach((c) => c.close()));

  let token: string;
  let roomId: string;
  let emptyRoomId: string;
  /** The room as the store holds it, read from the store directly, in seq order. */
  let inStore: ChatMessage[];

  const expectedBefore = (before: number | undefined, limit: number): HistoryPage => {
    const older = inStore.filter((m) => before === undefined || m.seq < before);
    return { messages: older.slice(-limit), hasMore: older.length > limit };
  };
  const expectedAfter = (after: number, limit: number): HistoryPage => {
    const newer = inStore.filter((m) => m.seq > after);
    return { messages: newer.slice(0, limit), hasMore: newer.length > limit };
  };

  beforeAll(async () => {
    const owner = await ChatClient.connect({ sourceIp: sourceAddress(233) });
    opened.push(owner);
    token = owner.token;
    roomId = await roomWith('history pages', owner);
    emptyRoomId = await roomWith('history pages, empty', owner);
    await seedRoom(roomId, owner.user, SIZE);
    expect(await historyWhenComplete(token, roomId, SIZE, 30_000)).toHaveLength(SIZE);
    const mongo = await MongoClient.connect(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017');
    try {
      const docs = await mongo.db(process.env.MONGO_DB ?? 'chatstream').collection<MessageDocument>(COLLECTIONS.messages).find({ roomId }).toArray();
      inStore = docs
        .map(({ _id, roomId: room, seq, clientMsgId, user, text, sentAt }) => ({ id: _id, roomId: room, seq, clientMsgId, user, text, sentAt }))
        .sort((a, b) => a.seq - b.seq);
    } finally {
      await mongo.close();
    }
    expect(inStore).toHaveLength(SIZE);
  }, 60_000);

  /**
   * `count` pages in a seeded random order: half at random cursors (either side of the room too),
   * a third as a user scrolls (the next page before or after the last one), the rest newest pages.
   */
  async function randomPages(seed: number, count: number): Promise<string[]> {
    const api = rest(token);
    const rnd = seededRandom(seed);
    const first = inStore[0]!.seq;
    const last = inStore.at(-1)!.seq;
    const wrong: string[] = [];
    let previous: { direction: 'before' | 'after'; page: HistoryPage } | undefined;
    for (let i = 0; i < count; i++) {
      const limit = 1 + Math.floor(rnd() * 100);
      const pick = rnd();
      let query: HistoryQuery & { limit: number };
      if (pick < 0.35 && previous && previous.page.messages.length > 0) {
        const { direction, page } = previous;
        query = direction === 'before' ? { before: page.messages[0]!.seq, limit } : { after: page.messages.at(-1)!.seq, limit };
      } else if (pick < 0.85) {
        const cursor = first - 5 + Math.floor(rnd() * (last - first + 10));
        query = rnd() < 0.5 ? { before: cursor, limit } : { after: cursor, limit };
      } else {
        query = { limit };
      }
      const page = await api.history(roomId, query);
      const expected = query.after !== undefined ? expectedAfter(query.after, limit) : expectedBefore(query.before, limit);
      if (JSON.stringify(page) !== JSON.stringify(expected)) wrong.push(`${JSON.stringify(query)}: ${page.messages.length} messages, first ${page.messages[0]?.seq}, hasMore ${page.hasMore}`);
      previous = { direction: query.after !== undefined ? 'after' : 'before', page };
    }
    return wrong;
  }

  it('answers random pages and scrolls exactly as the store holds the room, most of them from memory', async () => {
    const before = await pagesBySource();
    expect(await randomPages(1, 400)).toEqual([]);
    const after = await pagesBySource();
    expect(after.memory + after.store - before.memory - before.store).toBe(400);
    expect(after.memory - before.memory).toBeGreaterThan(200);
  }, 60_000);

  it('answers the edges: the first and last message, cursors past either end, an empty room', async () => {
    const api = rest(token);
    const first = inStore[0]!.seq;
    const last = inStore.at(-1)!.seq;
    const cases: [HistoryQuery, HistoryPage][] = [
      [{ before: first, limit: 10 }, { messages: [], hasMore: false }],
      [{ before: first + 1, limit: 10 }, { messages: [inStore[0]!], hasMore: false }],
      [{ before: 1, limit: 10 }, { messages: [], hasMore: false }],
      [{ after: last, limit: 10 }, { messages: [], hasMore: false }],
      [{ after: last - 1, limit: 10 }, { messages: [inStore.at(-1)!], hasMore: false }],
      [{ after: last + 1_000, limit: 10 }, { messages: [], hasMore: false }],
      [{ after: 0, limit: 100 }, expectedAfter(0, 100)],
      [{ before: last + 1_000, limit: 100 }, expectedBefore(undefined, 100)],
      [{ limit: 100 }, expectedBefore(undefined, 100)],
    ];
    // Twice: the first answer may come from the store, the second from memory.
    for (let round = 0; round < 2; round++) {
      for (const [query, expected] of cases) expect({ query, page: await api.history(roomId, query) }).toEqual({ query, page: expected });
      for (const query of [{ limit: 50 }, { before: 10, limit: 50 }, { after: 0, limit: 50 }]) {
        expect(await api.history(emptyRoomId, query)).toEqual({ messages: [], hasMore: false });
      }
    }
  }, 30_000);

  it('answers the same after the api restarted with its memory gone', async () => {
    await supervise('restart', 'api');
    await eventually('the api answers /health', async () => (await fetch(`${API}/health`).catch(() => undefined))?.status === 200, 30_000, 200);
    expect(await pagesBySource()).toEqual({ memory: 0, store: 0 }); // a new process: nothing remembered
    expect(await randomPages(2, 200)).toEqual([]);
    expect((await pagesBySource()).memory).toBeGreaterThan(100);
  }, 60_000);
});

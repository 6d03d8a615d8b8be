import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { ChatMessage } from '@app/contracts';
import { ConfigModule } from '@app/config';
import { MessagesRepository, MongoModule, toMessage, type MessageDocument } from '@app/mongo';
import { seededRandom } from '@app/testing';

/**
 * History pages from the real store equal the answer computed from what was written, for random
 * cursors and at the edges (first and last message, cursors past either end, an empty room),
 * whatever path the store takes (on FerretDB, the range/sort/limit pushdown of
 * infra/ferretdb/range-sort-limit-pushdown.patch; on mongod, its indexes). The rooms are
 * interleaved in one collection with other rooms' messages, and seq skips numbers, as Kafka
 * offsets shared by the rooms of a partition do.
 */
const SIZE = 1_500;

describe('history pages on the real store', () => {
  let sut: MessagesRepository;
  let close: () => Promise<void>;
  const roomId = `hp-${randomUUID().slice(0, 8)}`;
  const neighbour = `${roomId}-n`;
  const emptyRoom = `${roomId}-empty`;
  const written: ChatMessage[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot('it'), MongoModule] }).compile();
    await moduleRef.init();
    sut = moduleRef.get(MessagesRepository);
    close = () => moduleRef.close();
    const rnd = seededRandom(42);
    const docs: MessageDocument[] = [];
    let offset = 1_000;
    for (let i = 0; i < SIZE; i++) {
      offset += 1 + Math.floor(rnd() * 3); // the neighbour room's records take the skipped offsets
      for (const [room, seq] of [[roomId, offset], [neighbour, offset - 1]] as const) {
        docs.push({ _id: randomUUID(), roomId: room, seq, partition: 0, offset: String(seq - 1), clientMsgId: randomUUID(), user: { id: 'u1', username: 'alice' }, text: `${room} ${seq}`, sentAt: new Date(1_700_000_000_000 + seq).toISOString() });
      }
    }
    for (let i = 0; i < docs.length; i += 500) await sut.insertBatch(docs.slice(i, i + 500));
    written.push(...docs.filter((d) => d.roomId === roomId).map(toMessage));
  }, 60_000);

  afterAll(() => close());

  const seqs = (ms: ChatMessage[]): number[] => ms.map((m) => m.seq);
  const expectedBefore = (before: number, limit: number) => {
    const older = written.filter((m) => m.seq < before);
    return { messages: seqs(older.slice(-limit)), hasMore: older.length > limit };
  };
  const expectedAfter = (after: number, limit: number) => {
    const newer = written.filter((m) => m.seq > after);
    return { messages: seqs(newer.slice(0, limit)), hasMore: newer.length > limit };
  };
  const asSeqs = (page: { messages: ChatMessage[]; hasMore: boolean }) => ({ messages: seqs(page.messages), hasMore: page.hasMore });

  it('answers the newest page, and pages with before and after at random cursors, like the written history', async () => {
    const first = written[0]!.seq;
    const last = written.at(-1)!.seq;
    expect(asSeqs(await sut.page(roomId, { limit: 50 }))).toEqual(expectedBefore(Infinity, 50));
    const rnd = seededRandom(7);
    for (let i = 0; i < 60; i++) {
      const cursor = first - 5 + Math.floor(rnd() * (last - first + 10));
      const limit = 1 + Math.floor(rnd() * 100);
      expect(asSeqs(await sut.page(roomId, { limit, before: cursor }))).toEqual(expectedBefore(cursor, limit));
      expect(asSeqs(await sut.page(roomId, { limit, after: cursor }))).toEqual(expectedAfter(cursor, limit));
    }
    // A full message is returned, not only its seq.
    expect((await sut.page(roomId, { limit: 1, after: 0 })).messages).toEqual([written[0]]);
  });

  it('answers the edges: the first and last message, cursors past either end, an empty room', async () => {
    const first = written[0]!.seq;
    const last = written.at(-1)!.seq;
    expect(asSeqs(await sut.page(roomId, { limit: 10, before: first }))).toEqual({ messages: [], hasMore: false });
    expect(asSeqs(await sut.page(roomId, { limit: 10, before: first + 1 }))).toEqual({ messages: [first], hasMore: false });
    expect(asSeqs(await sut.page(roomId, { limit: 10, after: last }))).toEqual({ messages: [], hasMore: false });
    expect(asSeqs(await sut.page(roomId, { limit: 10, after: last - 1 }))).toEqual({ messages: [last], hasMore: false });
    expect(asSeqs(await sut.page(roomId, { limit: 100, after: 0 }))).toEqual(expectedAfter(0, 100));
    expect(asSeqs(await sut.page(roomId, { limit: SIZE, after: 0 }))).toEqual({ messages: seqs(written), hasMore: false });
    expect(asSeqs(await sut.page(emptyRoom, { limit: 50 }))).toEqual({ messages: [], hasMore: false });
    expect(asSeqs(await sut.page(emptyRoom, { limit: 50, before: 10 }))).toEqual({ messages: [], hasMore: false });
    expect(asSeqs(await sut.page(emptyRoom, { limit: 50, after: 0 }))).toEqual({ messages: [], hasMore: false });
  });

  it('answers the join reads (range and newest up to a position) like the written history', async () => {
    const rnd = seededRandom(99);
    const first = written[0]!.seq;
    const last = written.at(-1)!.seq;
    for (let i = 0; i < 30; i++) {
      const until = first + Math.floor(rnd() * (last - first + 1));
      const since = Math.max(0, until - Math.floor(rnd() * 600));
      const limit = 1 + Math.floor(rnd() * 200);
      const inRange = written.filter((m) => m.seq > since && m.seq <= until);
      expect(asSeqs(await sut.range(roomId, since, until, limit))).toEqual({ messages: seqs(inRange.slice(0, limit)), hasMore: inRange.length > limit });
      const upTo = written.filter((m) => m.seq <= until);
      expect(asSeqs(await sut.newest(roomId, until, limit))).toEqual({ messages: seqs(upTo.slice(-limit)), hasMore: upTo.length > limit });
    }
  });
});

import { Test } from '@nestjs/testing';
import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';
import { ConfigModule } from '@app/config';
import { COLLECTIONS, MessagesRepository, MONGO_DB, MongoModule, RoomsRepository, type MessageDocument, type RoomDocument } from '@app/mongo';
import { uniqueName } from '@app/testing';

interface Doc {
  _id: string;
  roomId: string;
  seq: number;
  text: string;
}

describe('MongoDB wire protocol through the mongo lib (real store)', () => {
  let db: Db;
  let sut: Collection<Doc>;
  let close: () => Promise<void>;
  let messages: MessagesRepository;
  let rooms: RoomsRepository;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot('it'), MongoModule] }).compile();
    await moduleRef.init(); // creates the product's indexes
    db = moduleRef.get(MONGO_DB);
    messages = moduleRef.get(MessagesRepository);
    rooms = moduleRef.get(RoomsRepository);
    sut = db.collection<Doc>(uniqueName('it_messages').replace(/-/g, '_'));
    await sut.createIndex({ roomId: 1, seq: 1 }, { unique: true });
    close = () => moduleRef.close();
  });

  afterAll(async () => {
    await sut.drop().catch(() => undefined);
    await close();
  });

  const doc = (roomId: string, seq: number): Doc => ({ _id: `${roomId}:${seq}`, roomId, seq, text: `m${seq}` });

  it('rejects a duplicate on a unique index', async () => {
    await sut.insertOne(doc('dup', 1));
    await expect(sut.insertOne({ ...doc('dup', 1), _id: 'other-id' })).rejects.toMatchObject({ code: 11000 });
    expect(await sut.countDocuments({ roomId: 'dup' })).toBe(1);
  });

  it('repeats an unordered bulk write of upserts without writing anything twice', async () => {
    const ops = Array.from({ length: 200 }, (_, i) => {
      const d = doc('bulk', i + 1);
      return { updateOne: { filter: { _id: d._id }, update: { $setOnInsert: d }, upsert: true } };
    });
    const first = await sut.bulkWrite(ops, { ordered: false });
    const second = await sut.bulkWrite(ops, { ordered: false });
    expect(first.upsertedCount).toBe(200);
    expect(second.upsertedCount).toBe(0);
    expect(second.matchedCount).toBe(200);
    expect(await sut.countDocuments({ roomId: 'bulk' })).toBe(200);
  });

  it('reports which operations of an unordered bulk write hit a unique index, and writes the rest', async () => {
    await sut.insertOne(doc('partial', 2));
    const ops = [1, 2, 3].map((seq) => ({ insertOne: { document: { ...doc('partial', seq), _id: `p-${seq}` } } }));
    const error = await sut.bulkWrite(ops, { ordered: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const codes = [(error as MongoBulkWriteError).writeErrors].flat();
    expect(codes.map((e) => e.code)).toEqual([11000]);
    expect(await sut.countDocuments({ roomId: 'partial' })).toBe(3);
  });

  it('pages with a range filter, sort and limit', async () => {
    await sut.insertMany(Array.from({ length: 30 }, (_, i) => doc('page', (i + 1) * 2))); // seq 2..60
    const newestBelow41 = await sut.find({ roomId: 'page', seq: { $lt: 41 } }).sort({ seq: -1 }).limit(5).toArray();
    expect(newestBelow41.map((d) => d.seq)).toEqual([40, 38, 36, 34, 32]);
    const oldestAbove41 = await sut.find({ roomId: 'page', seq: { $gt: 41 } }).sort({ seq: 1 }).limit(3).toArray();
    expect(oldestAbove41.map((d) => d.seq)).toEqual([42, 44, 46]);
  });

  it('stores a batch of messages once however often it is written, and refuses a retried send under a new id', async () => {
    const roomId = uniqueName('it-room');
    const message = (seq: number): MessageDocument => ({
      _id: `${roomId}-${seq}`,
      roomId,
      seq,
      clientMsgId: `c${seq}`,
      user: { id: 'u1', username: 'u1' },
      text: `m${seq}`,
      sentAt: new Date().toISOString(),
      partition: 0,
      offset: String(seq - 1),
    });
    const batch = Array.from({ length: 300 }, (_, i) => message(i + 1));
    const first = await messages.insertBatch(batch);
    const again = await messages.insertBatch(batch);
    expect(first.inserted).toHaveLength(300);
    expect(again).toMatchObject({ inserted: [], alreadyStored: expect.any(Array) });
    expect(again.alreadyStored).toHaveLength(300);
    const retried = { ...message(301), clientMsgId: 'c1' }; // same send, new id, new position
    const mixed = await messages.insertBatch([retried, message(302)]);
    expect(mixed.inserted.map((d) => d.seq)).toEqual([302]);
    expect(mixed.alreadyStored.map((d) => d.seq)).toEqual([301]);
    const page = await messages.page(roomId, { limit: 100, after: 250 });
    expect(page.messages.map((m) => m.seq)).toEqual([...Array.from({ length: 50 }, (_, i) => 251 + i), 302]);
  });

  it('finds the rooms that never had a message for the empty-room reaper, also rooms stored before the history field', async () => {
    const user = { id: 'u1', username: 'u1' };
    const unused = await rooms.create(uniqueName('it-unused'), user);
    const used = await rooms.create(uniqueName('it-used'), user);
    await rooms.recordMessages(new Map([[used._id, { count: 3, lastAt: new Date() }]]));
    // Stored by an older version: no history field.
    const legacy = { _id: uniqueName('it-legacy'), name: 'legacy', createdAt: new Date(), createdBy: user, messageCount: 0, lastActivityAt: null };
    const legacyUsed = { ...legacy, _id: uniqueName('it-legacy-used'), messageCount: 5 };
    await db.collection<RoomDocument>(COLLECTIONS.rooms).insertMany([legacy, legacyUsed]);
    const ids = async () => (await rooms.findUnusedBefore(new Date(Date.now() + 60_000), 100_000)).map((r) => r._id);
    const ours = [unused._id, used._id, legacy._id, legacyUsed._id];
    try {
      expect((await ids()).filter((id) => ours.includes(id))).toEqual([unused._id]);
      expect(await rooms.markRoomsWithoutHistory()).toBeGreaterThanOrEqual(1);
      expect((await ids()).filter((id) => ours.includes(id)).sort()).toEqual([unused._id, legacy._id].sort());
      expect(await rooms.markRoomsWithoutHistory()).toBe(0);
      expect((await rooms.findById(used._id))?.history).toBe('some');
      expect((await rooms.findById(legacyUsed._id))?.history).toBeUndefined();
    } finally {
      await Promise.all(ours.map((id) => rooms.delete(id)));
    }
  });
});

import type { BatchWriteResult, MessageDocument } from '@app/mongo';
import { InsertCoalescer } from './insert-coalescer';

const doc = (id: string): MessageDocument =>
  ({ _id: id, roomId: 'r', seq: Number(id.slice(1)), clientMsgId: `c${id}`, user: { id: 'u', username: 'u' }, text: 't', sentAt: '2026-01-01T00:00:00.000Z' }) as MessageDocument;

describe('InsertCoalescer (stub store)', () => {
  it('writes the batches that arrive together as one insert and gives each caller its own outcome', async () => {
    const writes: string[][] = [];
    const sut = new InsertCoalescer(async (docs): Promise<BatchWriteResult> => {
      writes.push(docs.map((d) => d._id));
      return { inserted: docs.filter((d) => d._id !== 'm2'), alreadyStored: docs.filter((d) => d._id === 'm2') };
    }, 5, 1000);
    const [a, b] = await Promise.all([sut.insert([doc('m1'), doc('m2')]), sut.insert([doc('m3')])]);
    expect(writes).toEqual([['m1', 'm2', 'm3']]);
    expect(a.inserted.map((d) => d._id)).toEqual(['m1']);
    expect(a.alreadyStored.map((d) => d._id)).toEqual(['m2']);
    expect(b.inserted.map((d) => d._id)).toEqual(['m3']);
  });

  it('writes at once when the merged batch reaches its maximum size', async () => {
    const writes: number[] = [];
    const sut = new InsertCoalescer(async (docs) => (writes.push(docs.length), { inserted: docs, alreadyStored: [] }), 60_000, 3);
    await Promise.all([sut.insert([doc('m1'), doc('m2')]), sut.insert([doc('m3')])]);
    expect(writes).toEqual([3]);
  });

  it('fails every caller of a failed write, and the next write goes through', async () => {
    let down = true;
    const sut = new InsertCoalescer(async (docs) => {
      if (down) throw new Error('store down');
      return { inserted: docs, alreadyStored: [] };
    }, 1, 1000);
    const outcomes = await Promise.allSettled([sut.insert([doc('m1')]), sut.insert([doc('m2')])]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    down = false;
    await expect(sut.insert([doc('m1')])).resolves.toMatchObject({ inserted: [doc('m1')] });
  });
});

import { MongoBulkWriteError, MongoNetworkError, type BulkWriteResult } from 'mongodb';
import { refusedAsDuplicates } from './messages.repository';

/** What the driver throws for an unordered insert: built by hand here (no store in a unit test). */
function bulkError(cause: Error | { message: string; code: number; writeErrors: { code: number; index: number }[] }, insertedCount: number): MongoBulkWriteError {
  return new MongoBulkWriteError(cause as never, { insertedCount } as unknown as BulkWriteResult);
}

const duplicates = (indexes: number[]) => ({
  message: 'E11000 duplicate key error',
  code: 11000,
  writeErrors: indexes.map((index) => ({ code: 11000, index })),
});

describe('refusedAsDuplicates (driver errors built by hand)', () => {
  it('names the documents refused as already stored when the rest was written', () => {
    expect(refusedAsDuplicates(bulkError(duplicates([0, 3]), 8), 10)).toEqual(new Set([0, 3]));
  });

  it('says nothing is known when a connection failed mid-insert: the driver wraps it in a bulk error with no write errors', () => {
    const killed = bulkError(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'), 0);
    expect(killed.writeErrors).toEqual([]);
    expect(refusedAsDuplicates(killed, 20)).toBeNull();
  });

  it('says nothing is known when another write error came with the duplicates, or fewer were written than the rest', () => {
    const mixed = { ...duplicates([1]), writeErrors: [{ code: 11000, index: 1 }, { code: 2, index: 4 }] };
    expect(refusedAsDuplicates(bulkError(mixed, 8), 10)).toBeNull();
    expect(refusedAsDuplicates(bulkError(duplicates([1]), 5), 10)).toBeNull();
  });

  it('leaves any other error to the caller', () => {
    expect(refusedAsDuplicates(new MongoNetworkError('reset'), 10)).toBeNull();
  });
});

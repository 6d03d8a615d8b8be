import { newMessageId } from './message-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newMessageId', () => {
  it('makes version 7 UUIDs, so any client that checks for a UUID accepts them', () => {
    const ids = Array.from({ length: 1000 }, () => newMessageId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('makes ids that sort in the order they were made, so the store appends them to its _id index', () => {
    const ids = Array.from({ length: 10_000 }, () => newMessageId());
    expect([...ids].sort()).toEqual(ids);
  });

  it('starts each id with the time it was made (milliseconds since the epoch, 48 bits)', () => {
    const before = Date.now();
    const id = newMessageId();
    const after = Date.now();
    const madeAt = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(madeAt).toBeGreaterThanOrEqual(before);
    expect(madeAt).toBeLessThanOrEqual(after);
  });
});

import type { ChatMessage } from '@app/contracts';
import { retryAnswer, RetryWindow } from './retry-window';

const MINUTE = 60_000;
const alice = { id: 'u1', username: 'alice' };
let nextSeq = 0;
const aRecord = (clientMsgId: string, roomId = 'room-1', text = 'hi'): ChatMessage => ({
  id: `id-${nextSeq}`,
  roomId,
  seq: nextSeq++,
  clientMsgId,
  user: alice,
  text,
  sentAt: new Date(0).toISOString(),
});

describe('RetryWindow', () => {
  it('judges a second record of one send within the window a repeat, and answers retries with the first', () => {
    const sut = new RetryWindow(5 * MINUTE);
    const first = aRecord('a');
    expect(sut.remember(first, 1_000)).toBe(false);
    expect(sut.remember(aRecord('a'), 1_000 + 4 * MINUTE)).toBe(true);
    expect(sut.remember(aRecord('a'), 1_000 + 5 * MINUTE)).toBe(true);
    expect(retryAnswer(sut.firstOf('room-1', 'a', 1_000 + MINUTE)!, { roomId: 'room-1', clientMsgId: 'a', text: 'hi' }, alice)).toEqual(first);
  });

  it('keeps sends of other rooms and other ids apart', () => {
    const sut = new RetryWindow(5 * MINUTE);
    sut.remember(aRecord('a', 'room-1'), 0);
    expect(sut.remember(aRecord('a', 'room-2'), 0)).toBe(false);
    expect(sut.remember(aRecord('b', 'room-1'), 0)).toBe(false);
    expect(sut.size).toBe(3);
  });

  it('treats a record after the window as a new send, which its own repeats then answer', () => {
    const sut = new RetryWindow(5 * MINUTE);
    sut.remember(aRecord('a'), 0);
    const later = aRecord('a');
    expect(sut.remember(later, 5 * MINUTE + 1)).toBe(false);
    expect(sut.remember(aRecord('a'), 6 * MINUTE)).toBe(true);
    expect(sut.firstOf('room-1', 'a', 6 * MINUTE)).toMatchObject({ id: later.id, seq: later.seq });
    expect(sut.firstOf('room-1', 'a', 11 * MINUTE + 2)).toBeUndefined();
  });

  it('forgets sends once they are older than the window and the slack, so memory stays bounded', () => {
    const sut = new RetryWindow(MINUTE, 10_000);
    for (let i = 0; i < 100; i++) sut.remember(aRecord(`old-${i}`), i);
    sut.remember(aRecord('new'), MINUTE + 10_000 + 50);
    expect(sut.size).toBe(1 + 50); // those at 50 ms and later are within window + slack of the newest
    sut.remember(aRecord('newer'), 10 * MINUTE);
    expect(sut.size).toBe(1);
  });

  it('still judges a late record exactly while it is within the slack of the newest one', () => {
    const sut = new RetryWindow(MINUTE, 30_000);
    sut.remember(aRecord('a'), 0);
    sut.remember(aRecord('other'), MINUTE + 20_000); // the newest record moved on
    // A copy of 'a' produced at 50 s (its producer retried) arrives now: still within the window of 'a'.
    expect(sut.remember(aRecord('a'), 50_000)).toBe(true);
  });
});

describe('RetryWindow over many sends', () => {
  it('answers each held send with its own first record across thousands of sends, and forgets exactly those past window and slack', () => {
    const sut = new RetryWindow(3_000, 1_000);
    const records = Array.from({ length: 10_000 }, (_, i) => ({ ...aRecord(`m${i}`, `room-${i % 7}`, `text ${i}`), sentAt: new Date(1_700_000_000_000 + i).toISOString() }));
    records.forEach((r, i) => expect(sut.remember(r, i)).toBe(false));
    expect(sut.size).toBe(4_001); // at 5,999 ms and later: within 4,000 ms of the newest (9,999)
    for (const i of [6_999, 8_191, 8_192, 9_999]) {
      const r = records[i]!;
      expect(retryAnswer(sut.firstOf(r.roomId, r.clientMsgId, 9_999)!, r, alice)).toEqual(r);
    }
    // Older than the window, but within the slack: no retry is answered from it, a late copy is still a repeat.
    expect(sut.firstOf(records[6_998]!.roomId, records[6_998]!.clientMsgId, 9_999)).toBeUndefined();
    expect(sut.remember(records[5_999]!, 6_500)).toBe(true);
    // Past window and slack: forgotten, so a copy is a new send.
    expect(sut.remember(records[5_998]!, 6_500)).toBe(false);
  });

  it('keeps a send that started again after the window when its old first record is forgotten', () => {
    const sut = new RetryWindow(1_000, 500);
    sut.remember(aRecord('a'), 0);
    const again = aRecord('a');
    expect(sut.remember(again, 1_001)).toBe(false);
    sut.remember(aRecord('b'), 1_600); // the first 'a' (at 0) is now past window and slack
    expect(sut.firstOf('room-1', 'a', 1_600)).toMatchObject({ id: again.id, seq: again.seq });
    expect(sut.remember(aRecord('a'), 1_700)).toBe(true);
  });

  it('gives back a sentAt in another format exactly as it was read', () => {
    const sut = new RetryWindow(MINUTE);
    const record = { ...aRecord('odd'), sentAt: '2026-11-24T03:00:00Z' };
    sut.remember(record, 0);
    expect(sut.firstOf('room-1', 'odd', 0)!.sentAt).toBe('2026-11-24T03:00:00Z');
  });
});

describe('retryAnswer', () => {
  const sut = new RetryWindow(MINUTE);
  sut.remember(aRecord('a', 'room-1', 'the text'), 0);
  const first = sut.firstOf('room-1', 'a', 0)!;

  it("refuses another sender's use of the clientMsgId with bad_request", () => {
    expect(() => retryAnswer(first, { roomId: 'room-1', clientMsgId: 'a', text: 'the text' }, { id: 'u2', username: 'bob' })).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });

  it('refuses a different text under the same clientMsgId with bad_request: it is not a retry', () => {
    expect(() => retryAnswer(first, { roomId: 'room-1', clientMsgId: 'a', text: 'another text' }, alice)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

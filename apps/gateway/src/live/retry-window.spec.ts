import type { ChatMessage } from '@app/contracts';
import { RetryWindow } from './retry-window';

const MINUTE = 60_000;
let nextSeq = 0;
const aRecord = (clientMsgId: string, roomId = 'room-1'): ChatMessage => ({
  id: `id-${nextSeq}`,
  roomId,
  seq: nextSeq++,
  clientMsgId,
  user: { id: 'u1', username: 'alice' },
  text: 'hi',
  sentAt: new Date(0).toISOString(),
});

describe('RetryWindow', () => {
  it('judges a second record of one send within the window a repeat and answers the first', () => {
    const sut = new RetryWindow(5 * MINUTE);
    const first = aRecord('a');
    expect(sut.remember(first, 1_000)).toBeUndefined();
    expect(sut.remember(aRecord('a'), 1_000 + 4 * MINUTE)).toBe(first);
    expect(sut.remember(aRecord('a'), 1_000 + 5 * MINUTE)).toBe(first);
    expect(sut.firstOf('room-1', 'a', 1_000 + MINUTE)).toBe(first);
  });

  it('keeps sends of other rooms and other ids apart', () => {
    const sut = new RetryWindow(5 * MINUTE);
    sut.remember(aRecord('a', 'room-1'), 0);
    expect(sut.remember(aRecord('a', 'room-2'), 0)).toBeUndefined();
    expect(sut.remember(aRecord('b', 'room-1'), 0)).toBeUndefined();
    expect(sut.size).toBe(3);
  });

  it('treats a record after the window as a new send, which its own repeats then answer', () => {
    const sut = new RetryWindow(5 * MINUTE);
    sut.remember(aRecord('a'), 0);
    const later = aRecord('a');
    expect(sut.remember(later, 5 * MINUTE + 1)).toBeUndefined();
    expect(sut.remember(aRecord('a'), 6 * MINUTE)).toBe(later);
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
    const first = aRecord('a');
    sut.remember(first, 0);
    sut.remember(aRecord('other'), MINUTE + 20_000); // the newest record moved on
    // A copy of 'a' produced at 50 s (its producer retried) arrives now: still within the window of 'a'.
    expect(sut.remember(aRecord('a'), 50_000)).toBe(first);
  });
});

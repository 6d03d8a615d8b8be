import type { ChatMessage } from '@app/contracts';
import { RoomTimeline } from './timeline';

const message = (seq: number, roomId = 'r1'): ChatMessage => ({
  id: `m${seq}`,
  roomId,
  seq,
  clientMsgId: `c${seq}`,
  user: { id: 'u1', username: 'alice' },
  text: `text ${seq}`,
  sentAt: new Date(0).toISOString(),
});

describe('RoomTimeline (the web page\'s per-room message list)', () => {
  it('keeps each seq once, in order, when a history page overlaps the live messages', () => {
    const sut = new RoomTimeline('r1');
    sut.add([message(50), message(51), message(52)]);
    const fresh = sut.add([message(48), message(49), message(50), message(51)]);
    expect(fresh.map((m) => m.seq)).toEqual([48, 49]);
    expect(sut.messages.map((m) => m.seq)).toEqual([48, 49, 50, 51, 52]);
    expect(sut.oldestSeq).toBe(48);
  });

  it('answers nothing new for a repeated delivery and ignores other rooms', () => {
    const sut = new RoomTimeline('r1');
    sut.add([message(1), message(2)]);
    expect(sut.add([message(2), message(3, 'r2')])).toEqual([]);
    expect(sut.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('appends live messages in seq order even when they come in one batch out of order', () => {
    const sut = new RoomTimeline('r1');
    sut.add([message(1)]);
    sut.add([message(3), message(2)]);
    expect(sut.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});

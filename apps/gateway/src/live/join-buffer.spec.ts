import type { ChatMessage } from '@app/contracts';
import { JoinBuffer } from './join-buffer';

const msg = (seq: number): ChatMessage => ({
  id: `m${seq}`,
  roomId: 'r',
  seq,
  clientMsgId: `c${seq}`,
  user: { id: 'u', username: 'u' },
  text: 't',
  sentAt: new Date(0).toISOString(),
});

describe('JoinBuffer', () => {
  it('replays held messages after the history answer, in seq order, once', () => {
    const sut = new JoinBuffer('r', 10);
    [12, 11, 13, 12].forEach((s) => sut.hold(msg(s)));
    expect(sut.drain(10).map((m) => m.seq)).toEqual([11, 12, 13]);
  });

  it('drops held messages that the answer already contains', () => {
    const sut = new JoinBuffer('r', 10);
    [9, 10, 11].forEach((s) => sut.hold(msg(s)));
    expect(sut.drain(10).map((m) => m.seq)).toEqual([11]);
  });
});

import type { MessageDocument } from './documents';
import { firstOfEachSend } from './messages.repository';

let offset = 0;
const aDoc = (roomId: string, clientMsgId: string): MessageDocument => ({
  _id: `id-${offset}`,
  roomId,
  seq: offset,
  clientMsgId,
  user: { id: 'u1', username: 'alice' },
  text: 'hi',
  sentAt: new Date(0).toISOString(),
  partition: 0,
  offset: String(offset++),
});

describe('firstOfEachSend', () => {
  it('keeps the first record of each send in log order and sets later copies apart', () => {
    const first = aDoc('r1', 'a');
    const other = aDoc('r2', 'a');
    const copy = aDoc('r1', 'a');
    const next = aDoc('r1', 'b');
    expect(firstOfEachSend([first, other, copy, next])).toEqual({ docs: [first, other, next], repeats: [copy] });
  });
});

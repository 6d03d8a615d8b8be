import type { ChatMessage } from '@app/contracts';
import { RoomFeed } from './room-feed';
import { message } from './test-fixtures';

const feedAfter = (lastSeq: number) => {
  const delivered: number[] = [];
  const sut = new RoomFeed('room1', lastSeq, (m: ChatMessage) => delivered.push(m.seq));
  return { sut, delivered };
};

describe('RoomFeed', () => {
  it('delivers live messages once each, never a seq at or below the last delivered', () => {
    const { sut, delivered } = feedAfter(3);
    [2, 3, 4, 4, 5, 3].forEach((seq) => sut.live(message(seq)));
    expect(delivered).toEqual([4, 5]);
    expect(sut.lastSeq).toBe(5);
  });

  it('holds live messages during a catch-up and delivers them after the pages, in seq order, without duplicates', () => {
    const { sut, delivered } = feedAfter(2);
    sut.hold();
    [12, 10, 11, 12].forEach((seq) => sut.live(message(seq)));
    expect(delivered).toEqual([]);
    expect(sut.page([3, 4].map((s) => message(s)))).toBe(true);
    expect(sut.page([5, 7, 9].map((s) => message(s)))).toBe(true);
    sut.release();
    expect(delivered).toEqual([3, 4, 5, 7, 9, 10, 11, 12]);
    expect(sut.catchingUp).toBe(false);
  });

  it('stops paging at the first held live message: the live stream is contiguous from there', () => {
    const { sut, delivered } = feedAfter(0);
    sut.hold();
    sut.live(message(8));
    sut.live(message(9));
    // A REST page read after the live stream moved on overlaps it.
    expect(sut.page([6, 7, 8, 9, 10].map((s) => message(s)))).toBe(false);
    sut.release();
    expect(delivered).toEqual([6, 7, 8, 9]);
    sut.live(message(10));
    expect(delivered).toEqual([6, 7, 8, 9, 10]);
  });

  it('sorts a page that is not in seq order', () => {
    const { sut, delivered } = feedAfter(0);
    sut.page([3, 1, 2].map((s) => message(s)));
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('drops what it held when the connection is lost mid catch-up, keeping lastSeq at what was delivered', () => {
    const { sut, delivered } = feedAfter(4);
    sut.hold();
    sut.live(message(20));
    sut.page([5, 6].map((s) => message(s)));
    sut.discard();
    expect(delivered).toEqual([5, 6]);
    expect(sut.lastSeq).toBe(6);
    // The next connection's re-join (since 6) brings 7..20 again, each delivered once.
    sut.hold();
    sut.page([7, 20].map((s) => message(s)));
    sut.release();
    expect(delivered).toEqual([5, 6, 7, 20]);
  });
});

import { TypingRoster, typingLine } from './typing-roster';

const alice = { id: 'a', username: 'alice' };
const bob = { id: 'b', username: 'bob' };

describe('TypingRoster (who the web page shows as typing)', () => {
  it('shows a user typing until it stops or 5 s pass without a refresh', () => {
    const sut = new TypingRoster();
    sut.update('r1', alice, true, 0);
    expect(sut.typing('r1', undefined, 4_999)).toEqual([alice]);
    expect(sut.typing('r1', undefined, 5_000)).toEqual([]);
    sut.update('r1', alice, true, 6_000);
    sut.update('r1', alice, false, 6_100);
    expect(sut.typing('r1', undefined, 6_200)).toEqual([]);
  });

  it('leaves this user out and keeps rooms apart', () => {
    const sut = new TypingRoster();
    sut.update('r1', alice, true, 0);
    sut.update('r1', bob, true, 0);
    sut.update('r2', bob, true, 0);
    expect(sut.typing('r1', 'a', 1)).toEqual([bob]);
    expect(sut.typing('r3', 'a', 1)).toEqual([]);
  });

  it('says who is typing in a sentence', () => {
    expect(typingLine([])).toBe('');
    expect(typingLine([alice])).toBe('alice is typing…');
    expect(typingLine([alice, bob])).toBe('alice and bob are typing…');
    expect(typingLine([alice, bob, { id: 'c', username: 'carol' }])).toBe('3 people are typing…');
  });
});

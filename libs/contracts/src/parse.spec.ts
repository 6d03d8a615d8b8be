import { ChatError } from './errors';
import { parseInput } from './parse';
import { historyQuerySchema, loginSchema, messageSendSchema, roomJoinSchema } from './schemas';

const badRequest = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ChatError && error.code === 'bad_request' ? error.message : `wrong error ${String(error)}`;
  }
  return 'no error';
};

describe('edge validation', () => {
  it('accepts the usernames PROTOCOL.md allows and refuses the rest', () => {
    for (const ok of ['alice', 'Bob_2', 'a.b-c', 'Ana María', 'x'.repeat(32)]) expect(parseInput(loginSchema, { username: ok })).toEqual({ username: ok });
    for (const bad of ['', ' alice', 'alice ', 'a/b', 'x'.repeat(33), '<script>']) {
      expect(badRequest(() => parseInput(loginSchema, { username: bad }))).toMatch(/username/);
    }
  });

  it('answers bad_request for wrong types, missing fields, unknown fields and non-objects', () => {
    for (const input of [null, 'text', 42, [], { roomId: 5 }, { roomId: 'abc', since: -1 }, { roomId: 'abc', since: 1.5 }, { roomId: 'abc', extra: 'x'.repeat(10) }]) {
      expect(badRequest(() => parseInput(roomJoinSchema, input))).not.toBe('no error');
    }
    expect(badRequest(() => parseInput(messageSendSchema, { roomId: 'abc', text: 'hi' }))).toMatch(/clientMsgId/);
  });

  it('parses history queries and refuses bad paging', () => {
    expect(parseInput(historyQuerySchema, { limit: '10', after: '5' })).toEqual({ limit: 10, after: 5 });
    for (const q of [{ limit: '0' }, { limit: '101' }, { limit: '1.5' }, { limit: 'x' }, { before: '-1' }, { after: 'abc' }, { before: '1', after: '2' }, { 'limit[]': '5' }, { 'after[$ne]': 'null' }, { limit: ['5', '6'] }]) {
      expect(badRequest(() => parseInput(historyQuerySchema, q))).not.toBe('no error');
    }
  });
});

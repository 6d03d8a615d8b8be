import { decodeChatRecord } from './chat-record';

const valid = {
  v: 1,
  id: 'm1',
  roomId: 'room1',
  clientMsgId: 'c1',
  user: { id: 'u1', username: 'alice' },
  text: 'hello',
  sentAt: '2026-01-01T00:00:00.000Z',
};
const value = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const key = (k = 'room1') => Buffer.from(k);

describe('decodeChatRecord', () => {
  it('reads a valid record as the message at seq = offset + 1', () => {
    const sut = decodeChatRecord(key(), value(valid), '41');
    expect(sut).toEqual({
      ok: true,
      message: { id: 'm1', roomId: 'room1', seq: 42, clientMsgId: 'c1', user: valid.user, text: 'hello', sentAt: valid.sentAt },
    });
  });

  it('refuses, with a reason, what is not a message of its room', () => {
    expect(decodeChatRecord(key(), value('not json'), '0')).toEqual({ ok: false, reason: 'value is not JSON' });
    expect(decodeChatRecord(key(), null, '0')).toEqual({ ok: false, reason: 'value is not JSON' });
    expect(decodeChatRecord(key(), value({ ...valid, text: '' }), '0')).toMatchObject({ ok: false, reason: expect.stringMatching(/text/) });
    expect(decodeChatRecord(key(), value({ ...valid, extra: 1 }), '0')).toMatchObject({ ok: false });
  });

  it('takes sentAt only as an ISO-8601 UTC timestamp, as zod\'s datetime check does', () => {
    for (const sentAt of ['2026-01-01T00:00Z', '2026-01-01T00:00:00Z', '2024-02-29T23:59:59.123456Z']) {
      expect(decodeChatRecord(key(), value({ ...valid, sentAt }), '0')).toMatchObject({ ok: true });
    }
    for (const sentAt of ['2026-01-01T00:00:00+01:00', '2026-01-01T00:00:00', '2023-02-29T00:00:00Z', '2026-01-01T24:00:00Z', 'yesterday', 0]) {
      expect(decodeChatRecord(key(), value({ ...valid, sentAt }), '0')).toMatchObject({ ok: false, reason: expect.stringMatching(/sentAt/) });
    }
  });

  it('refuses a record keyed by another room (it sits on that room\'s partition, outside its own order)', () => {
    expect(decodeChatRecord(key('other-room'), value(valid), '0')).toEqual({ ok: false, reason: 'record key does not match its roomId' });
    expect(decodeChatRecord(null, value(valid), '0')).toMatchObject({ ok: false });
  });
});

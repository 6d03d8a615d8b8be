import type { KafkaMessage } from 'kafkajs';
import { decodeRecord } from './record-decoder';

const valid = {
  v: 1,
  id: 'm1',
  roomId: 'room1',
  clientMsgId: 'c1',
  user: { id: 'u1', username: 'alice' },
  text: 'hello',
  sentAt: '2026-01-01T00:00:00.000Z',
};
const record = (value: unknown, key = 'room1', offset = '41'): KafkaMessage =>
  ({ key: Buffer.from(key), value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), offset, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

describe('decodeRecord', () => {
  it('stores a valid record with seq = offset + 1', () => {
    const sut = decodeRecord(record(valid), 3);
    expect(sut).toMatchObject({ ok: true, doc: { _id: 'm1', roomId: 'room1', seq: 42, partition: 3, offset: '41' } });
  });

  it('refuses what can never be stored, with a reason', () => {
    expect(decodeRecord(record('not json'), 0)).toMatchObject({ ok: false, reason: 'value is not JSON' });
    expect(decodeRecord(record({ ...valid, text: '' }), 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/text/) });
    expect(decodeRecord(record({ ...valid, extra: 1 }), 0)).toMatchObject({ ok: false });
    expect(decodeRecord(record(valid, 'other-room'), 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/key/) });
  });
});

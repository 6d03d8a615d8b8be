import type { KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import { recordsFrom } from './fetched-records';

function batch(firstOffset: number, values: string[], attributes = 0): RecordsBatch {
  const records: KafkaRecord[] = values.map((v, i) => ({ length: 0, attributes: 0, timestampDelta: BigInt(i * 10), offsetDelta: i, key: Buffer.from('k'), value: Buffer.from(v), headers: [] }));
  return {
    firstOffset: BigInt(firstOffset),
    length: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes,
    lastOffsetDelta: values.length - 1,
    firstTimestamp: 1_000n,
    maxTimestamp: 0n,
    producerId: -1n,
    producerEpoch: -1,
    firstSequence: -1,
    records,
  };
}

describe('recordsFrom', () => {
  it('drops the records of the first batch before the offset asked for, and gives the offset after the last', () => {
    const sut = recordsFrom([batch(10, ['a', 'b', 'c', 'd']), batch(14, ['e'])], 12n);
    expect(sut.records.map((r) => [Number(r.offset), r.value!.toString(), r.timestamp])).toEqual([
      [12, 'c', 1_020],
      [13, 'd', 1_030],
      [14, 'e', 1_000],
    ]);
    expect(sut.next).toBe(15n);
  });

  it('skips a control batch (a transaction marker) but reads past it', () => {
    const sut = recordsFrom([batch(5, ['a']), batch(6, ['marker'], 0x20), batch(7, ['b'])], 5n);
    expect(sut.records.map((r) => r.value!.toString())).toEqual(['a', 'b']);
    expect(sut.next).toBe(8n);
  });

  it('stays at the offset asked for when nothing came', () => {
    expect(recordsFrom([], 42n)).toEqual({ records: [], next: 42n });
  });
});

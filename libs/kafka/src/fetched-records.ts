import type { RecordsBatch } from '@platformatic/kafka';

/** One record as the reader hands it on: its offset, its broker timestamp (ms) and its bytes. */
export interface LogRecord {
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Bit 5 of a batch's attributes: a transaction's commit or abort marker, not data. */
const CONTROL_BATCH = 0x20;

/**
 * The records at `from` and after, and the offset to fetch next. A fetch answers whole batches,
 * so the first can start before the offset asked for; control batches are skipped but read past.
 */
export function recordsFrom(batches: RecordsBatch[], from: bigint): { records: LogRecord[]; next: bigint } {
  const out: LogRecord[] = [];
  let next = from;
  for (const batch of batches) {
    const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (end > next) next = end;
    if (batch.attributes & CONTROL_BATCH) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < from) continue;
      out.push({ offset, timestamp: Number(batch.firstTimestamp + record.timestampDelta), key: record.key, value: record.value });
    }
  }
  return { records: out, next };
}

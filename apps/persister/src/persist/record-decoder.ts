import type { KafkaMessage } from 'kafkajs';
import { chatRecordSchema, seqFromOffset } from '@app/contracts';
import type { MessageDocument } from '@app/mongo';

export type Decoded = { ok: true; doc: MessageDocument } | { ok: false; reason: string; record: KafkaMessage };

/** Turns a Kafka record into the stored document, or says why it can never be stored. */
export function decodeRecord(record: KafkaMessage, partition: number): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(record.value?.toString('utf8') ?? '');
  } catch {
    return { ok: false, reason: 'value is not JSON', record };
  }
  const parsed = chatRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `invalid chat record: ${issue?.path.join('.')} ${issue?.message}`.trim(), record };
  }
  const r = parsed.data;
  if (record.key?.toString('utf8') !== r.roomId) {
    // A record keyed by another room sits on the wrong partition: storing it would break its room's order.
    return { ok: false, reason: 'record key does not match its roomId', record };
  }
  return {
    ok: true,
    doc: {
      _id: r.id,
      roomId: r.roomId,
      seq: seqFromOffset(record.offset),
      clientMsgId: r.clientMsgId,
      user: r.user,
      text: r.text,
      sentAt: r.sentAt,
      partition,
      offset: record.offset,
    },
  };
}

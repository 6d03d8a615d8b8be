import { datetimeRegex, z } from 'zod';
import { LIMITS } from './limits';
import type { ChatMessage } from './models';

/**
 * zod's `.datetime()` (UTC, any precision), compiled once: zod 3 builds and compiles this RegExp
 * again on every parse, and every gateway and the persister parse every record.
 */
const SENT_AT = datetimeRegex({ precision: null, offset: false, local: false });

/**
 * A chat message as written to Kafka: everything but `seq`, which the broker assigns (offset + 1).
 * Records are JSON, keyed by their roomId (the key picks the partition, so it is the room's order).
 */
export const chatRecordSchema = z
  .object({
    v: z.literal(1),
    id: z.string().min(1).max(64),
    roomId: z.string().min(1).max(LIMITS.roomIdMax),
    clientMsgId: z.string().min(1).max(LIMITS.clientMsgIdMax),
    user: z.object({ id: z.string().min(1), username: z.string().min(1).max(LIMITS.usernameMax) }).strict(),
    text: z.string().min(1).max(LIMITS.textMax),
    sentAt: z.string().regex(SENT_AT, 'Invalid datetime'),
  })
  .strict();

export type ChatRecord = z.infer<typeof chatRecordSchema>;

/** seq is the offset plus one, so `since: 0` means "from the start" and every seq is positive. */
export function seqFromOffset(offset: bigint | string): number {
  return Number(BigInt(offset) + 1n);
}

/** The one place a message's fields are listed: a record at an offset is this message. */
export function messageFromRecord(record: ChatRecord, offset: bigint | string): ChatMessage {
  return {
    id: record.id,
    roomId: record.roomId,
    seq: seqFromOffset(offset),
    clientMsgId: record.clientMsgId,
    user: record.user,
    text: record.text,
    sentAt: record.sentAt,
  };
}

export type DecodedRecord = { ok: true; message: ChatMessage } | { ok: false; reason: string };

/**
 * The one decoder of the chat topic, shared by every reader (the gateways' live stream and the
 * persister), so that what is delivered live and what reaches history can never disagree: a
 * record either is a message of its room at its offset, or it is refused by both, with a reason.
 */
export function decodeChatRecord(key: Buffer | null, value: Buffer | null, offset: bigint | string): DecodedRecord {
  let json: unknown;
  try {
    json = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    return { ok: false, reason: 'value is not JSON' };
  }
  const parsed = chatRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `invalid chat record: ${issue?.path.join('.')} ${issue?.message}`.trim() };
  }
  // A record keyed by another room sits on that room's partition: taking it would break the order.
  if (key?.toString('utf8') !== parsed.data.roomId) return { ok: false, reason: 'record key does not match its roomId' };
  return { ok: true, message: messageFromRecord(parsed.data, offset) };
}

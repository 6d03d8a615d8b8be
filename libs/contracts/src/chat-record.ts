import { z } from 'zod';
import { LIMITS } from './limits';
import type { ChatMessage } from './models';

/**
 * A chat message as written to Kafka: everything but `seq`, which the broker assigns (offset + 1).
 * Records are JSON; the persister validates each one and dead-letters what it cannot store.
 */
export const chatRecordSchema = z
  .object({
    v: z.literal(1),
    id: z.string().min(1).max(64),
    roomId: z.string().min(1).max(LIMITS.roomIdMax),
    clientMsgId: z.string().min(1).max(LIMITS.clientMsgIdMax),
    user: z.object({ id: z.string().min(1), username: z.string().min(1).max(LIMITS.usernameMax) }).strict(),
    text: z.string().min(1).max(LIMITS.textMax),
    sentAt: z.string().datetime(),
  })
  .strict();

export type ChatRecord = z.infer<typeof chatRecordSchema>;

/** seq is the offset plus one, so `since: 0` means "from the start" and every seq is positive. */
export function seqFromOffset(offset: bigint | string): number {
  return Number(BigInt(offset) + 1n);
}

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

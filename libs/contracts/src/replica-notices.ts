import { z } from 'zod';
import type { PresenceEvent } from './events';
import type { User } from './models';

/**
 * Notices between processes (api ↔ gateways, gateway ↔ gateway) about ephemeral state, carried by
 * the Redis bus; never chat messages (those have Kafka). A notice lost during a Redis outage is
 * repaired by the next one or by expiry: presence carries the full member list, typing expires.
 */
export type ReplicaNotice =
  | { kind: 'presence'; roomId: string; event: PresenceEvent; user: User; members: User[] }
  | { kind: 'typing'; roomId: string; user: User; typing: boolean }
  | { kind: 'user-renamed'; user: User }
  | { kind: 'room-deleted'; roomId: string }
  | { kind: 'user-kicked'; userId: string };

const user = z.object({ id: z.string(), username: z.string() });

/** What a receiver accepts: a notice from another version or a stray publish is ignored, not trusted. */
export const replicaNoticeSchema: z.ZodType<ReplicaNotice> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('presence'),
    roomId: z.string(),
    event: z.enum(['join', 'leave', 'rename']),
    user,
    members: z.array(user),
  }),
  z.object({ kind: z.literal('typing'), roomId: z.string(), user, typing: z.boolean() }),
  z.object({ kind: z.literal('user-renamed'), user }),
  z.object({ kind: z.literal('room-deleted'), roomId: z.string() }),
  z.object({ kind: z.literal('user-kicked'), userId: z.string() }),
]);

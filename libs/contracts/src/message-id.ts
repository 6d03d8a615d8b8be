import { v7 as uuidv7 } from 'uuid';

/**
 * A new message's `id`: a time-ordered UUID (version 7, RFC 9562), not a random one (version 4).
 * The id is the stored document's `_id`, and every store keeps a unique index on it: random keys
 * land anywhere in that index, so each write dirties pages all over it and the cost of an insert
 * grows with the collection; ids that rise with time append at its end (docs/benchmarks.md,
 * "Message ids in time order"). Nothing may rely on the order beyond that: ids from different
 * gateways interleave, and `seq`, not the id, is a room's order.
 */
export function newMessageId(): string {
  return uuidv7();
}

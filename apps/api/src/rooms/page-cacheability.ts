import type { HistoryPage } from '@app/contracts';
import type { PageQuery } from '@app/mongo';

/**
 * Whether a history page read from the store can change later, given `committed`: the room's
 * partition's committed persister offset, read before the page (every offset below it was in the
 * store). A message's seq is its offset + 1, so "seq ≤ committed" means "persisted".
 * - `before=X`: the messages with seq < X; final once X - 1 ≤ committed.
 * - `after=X`: final if the page is full, more follow (hasMore), and its last seq ≤ committed:
 *   no message can later appear between X and that last one.
 * - the newest page: changes with every new message of the room; kept until the next commit.
 */
export function pageCacheability(query: PageQuery, page: HistoryPage, committed: bigint): 'final' | 'until-next-commit' | 'no' {
  if (query.before !== undefined) return BigInt(query.before) - 1n <= committed ? 'final' : 'no';
  if (query.after !== undefined) {
    const last = page.messages.at(-1);
    return page.hasMore && page.messages.length === query.limit && last !== undefined && BigInt(last.seq) <= committed ? 'final' : 'no';
  }
  return 'until-next-commit';
}

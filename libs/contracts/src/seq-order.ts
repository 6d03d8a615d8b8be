import type { ChatMessage } from './models';

/** In messages sorted by seq: how many have seq ≤ `seq` (the index of the first one after it). */
export function countUpToSeq(messages: readonly ChatMessage[], seq: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (messages[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

import type { ChatMessage, HistoryPage } from '@app/contracts';
import { pageCacheability } from './page-cacheability';

const page = (seqs: number[], hasMore: boolean): HistoryPage => ({
  messages: seqs.map((seq) => ({ id: `m${seq}`, roomId: 'r', seq, clientMsgId: `c${seq}`, user: { id: 'u', username: 'u' }, text: 't', sentAt: '2026-01-01T00:00:00.000Z' }) as ChatMessage),
  hasMore,
});

describe('pageCacheability', () => {
  it('treats a before page as final once everything below its cursor is persisted', () => {
    expect(pageCacheability({ limit: 2, before: 11 }, page([9, 10], true), 10n)).toBe('final');
    // offset 10 (seq 11) is not needed; offset 9 (seq 10) is, and is below the committed offset 10
    expect(pageCacheability({ limit: 2, before: 12 }, page([10, 11], true), 10n)).toBe('no');
  });

  it('treats an after page as final only when it is full, more follow, and its last message is persisted', () => {
    expect(pageCacheability({ limit: 2, after: 3 }, page([4, 5], true), 5n)).toBe('final');
    expect(pageCacheability({ limit: 2, after: 3 }, page([4, 6], true), 5n)).toBe('no');
    expect(pageCacheability({ limit: 3, after: 3 }, page([4, 5], false), 50n)).toBe('no');
    expect(pageCacheability({ limit: 2, after: 3 }, page([4, 5], false), 50n)).toBe('no');
  });

  it('keeps the newest page only until the partition commits again', () => {
    expect(pageCacheability({ limit: 50 }, page([1, 2], false), 2n)).toBe('until-next-commit');
  });
});

import type { ChatMessage } from '@app/contracts';
import { RestApi } from '@app/client';
import { BASE_URL } from './chat-client';

/** The SDK's REST client for the topology under test. */
export const rest = (token: string): RestApi => new RestApi(BASE_URL, token);

/** Pages through the whole history of a room with the SDK's REST client and ?after= (what a client does to catch up). */
export async function fullHistory(token: string, roomId: string): Promise<ChatMessage[]> {
  const api = rest(token);
  const all: ChatMessage[] = [];
  for (let page = 0; page < 1000; page++) {
    const { messages, hasMore } = await api.history(roomId, { after: all.at(-1)?.seq ?? 0, limit: 100 });
    all.push(...messages);
    if (!hasMore) return all;
  }
  throw new Error('history did not end within 1000 pages');
}

/** History once the persister has caught up to `count` messages (bounded wait). */
export async function historyWhenComplete(token: string, roomId: string, count: number, timeoutMs = 20_000): Promise<ChatMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await fullHistory(token, roomId);
    if (stored.length >= count || Date.now() > deadline) return stored;
    await new Promise((r) => setTimeout(r, 200));
  }
}

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { ChatMessage, User } from '@app/contracts';
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

/**
 * Writes `count` messages of `user` to a room straight into the chat topic of the topology under
 * test, as a busy room would have filled it over time (faster than sending them one by one).
 */
export async function seedRoom(roomId: string, user: User, count: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-history-seed', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const sentAt = new Date().toISOString();
    const messages = Array.from({ length: count }, (_, i) => ({
      key: roomId,
      value: JSON.stringify({ v: 1, id: randomUUID(), roomId, clientMsgId: randomUUID(), user: { id: user.id, username: user.username }, text: `seeded ${i}`, sentAt }),
    }));
    await producer.send({ topic: 'chat.messages', acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '@app/contracts';
import type { ChatClient } from './chat-client';

/** PROTOCOL.md: every send is answered within 10 s while its connection stays up. */
export const ANSWER_LIMIT_MS = 10_000;

/** One attempt of a send: its answer ('ok', an error code, or 'cut' when the connection dropped). */
export interface Attempt {
  /** When the answer came (epoch ms), and how long after the attempt. */
  readonly at: number;
  readonly ms: number;
  readonly answer: string;
  readonly message?: ChatMessage;
}

export interface SendRecord {
  readonly clientMsgId: string;
  readonly attempts: Attempt[];
}

/**
 * A room member that behaves as PROTOCOL.md asks a client to: it resends with the same
 * clientMsgId after an error (waiting `retryAfterMs`) or a dropped connection, and after a
 * reconnect (to any replica) it joins again with `since` before sending. It keeps everything it
 * saw of the room (join answers and live events, in arrival order) and every attempt's answer, so
 * that a test can check exactly-once on every message.
 */
export class RetryingMember {
  readonly seen: ChatMessage[] = [];
  readonly sends: SendRecord[] = [];
  private ready = true;
  private rejoins = 0;

  private constructor(
    readonly client: ChatClient,
    readonly roomId: string,
  ) {
    client.socket.on('message', ({ message }) => {
      if (message.roomId === roomId) this.seen.push(message);
    });
    client.socket.on('disconnect', () => (this.ready = false));
    client.socket.io.on('reconnect', () => void this.rejoin());
  }

  static async join(client: ChatClient, roomId: string): Promise<RetryingMember> {
    const member = new RetryingMember(client, roomId);
    const { messages } = await client.ok('room:join', { roomId });
    member.seen.unshift(...messages);
    return member;
  }

  get reconnections(): number {
    return this.rejoins;
  }

  /** Sends `count` messages one after another, each until acknowledged, pausing `gapMs` between them; bounded by `deadline`. */
  async sendMany(count: number, gapMs: number, deadline: number): Promise<void> {
    for (let i = 0; i < count && Date.now() < deadline; i++) {
      await this.sendUntilAcked(`${this.client.user.username} ${i}`, deadline);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** One message, resent with its clientMsgId until an ok answer or the deadline. */
  async sendUntilAcked(text: string, deadline: number): Promise<void> {
    const record: SendRecord = { clientMsgId: randomUUID(), attempts: [] };
    this.sends.push(record);
    while (Date.now() < deadline) {
      if (!this.ready) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const started = Date.now();
      const answer = await this.attempt(text, record.clientMsgId);
      record.attempts.push({ at: Date.now(), ms: Date.now() - started, ...answer });
      if (answer.answer === 'ok') return;
      await new Promise((r) => setTimeout(r, answer.retryAfterMs ?? 200));
    }
  }

  private attempt(text: string, clientMsgId: string): Promise<{ answer: string; message?: ChatMessage; retryAfterMs?: number }> {
    const socket = this.client.socket;
    return new Promise((resolve) => {
      const done = (result: { answer: string; message?: ChatMessage; retryAfterMs?: number }) => {
        clearTimeout(timer);
        socket.off('disconnect', cut);
        resolve(result);
      };
      // No answer within the limit is itself a failure the checks count ('silence').
      const timer = setTimeout(() => done({ answer: 'silence' }), ANSWER_LIMIT_MS + 2_000);
      const cut = () => done({ answer: 'cut' });
      socket.once('disconnect', cut);
      socket.emit('message:send', { roomId: this.roomId, text, clientMsgId }, (a) => {
        if (a.ok) done({ answer: 'ok', message: a.message });
        else done({ answer: a.error.code, retryAfterMs: a.error.retryAfterMs });
      });
    });
  }

  private async rejoin(): Promise<void> {
    this.rejoins++;
    const since = this.seen.reduce((max, m) => Math.max(max, m.seq), 0);
    for (let i = 0; i < 50; i++) {
      const answer = await this.client.call('room:join', { roomId: this.roomId, since }, 5_000).catch(() => undefined);
      if (answer?.ok) {
        // A test keeps the gap of a reconnect within one join page; paging on would race the live events.
        if (answer.hasMore) throw new Error(`the gap after a reconnect is longer than a join page in ${this.roomId}`);
        this.seen.push(...(answer.messages as ChatMessage[]));
        this.ready = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

import type { ChatMessage } from '@app/contracts';
import { newClientMsgId } from '@app/client';
import type { ChatClient } from './chat-client';
import type { RecordedCall } from './recording-transport';

/** PROTOCOL.md: every send is answered within 10 s while its connection stays up. */
export const ANSWER_LIMIT_MS = 10_000;

/** One attempt of a send on the wire: its answer ('ok', an error code, 'cut' when the connection dropped first, 'silence' when none came). */
export interface Attempt {
  /** When the answer came (epoch ms), and how long after the attempt. */
  readonly at: number;
  readonly ms: number;
  readonly answer: string;
  readonly message?: ChatMessage;
}

export interface SendRecord {
  readonly clientMsgId: string;
  readonly text: string;
  /** Every attempt with this clientMsgId that went out so far: the SDK's retries and any raw resend. */
  readonly attempts: Attempt[];
}

type Answer = { ok: true; message: ChatMessage } | { ok: false; error: { code: string } };

/**
 * A room member that sends through the SDK, which resends with the same clientMsgId after an
 * error, no answer or a dropped connection, and after a reconnect (to any replica) re-joins with
 * `since` before sending again. What the checks of guarantee 3 need comes from the wire, not from
 * the SDK: each attempt's answer, and everything the server sent of the room (join answers and
 * live events), so a duplicate the server sends fails the test even though the SDK would drop it.
 */
export class RetryingMember {
  private readonly started: { clientMsgId: string; text: string }[] = [];

  private constructor(
    readonly client: ChatClient,
    readonly roomId: string,
  ) {}

  static async join(client: ChatClient, roomId: string): Promise<RetryingMember> {
    await client.sdk.join(roomId);
    return new RetryingMember(client, roomId);
  }

  /** Connections after the first (each brings a session). */
  get reconnections(): number {
    return Math.max(0, this.client.sessions.length - 1);
  }

  get sends(): SendRecord[] {
    return this.started.map((send) => ({ ...send, attempts: this.attemptsOf(send.clientMsgId) }));
  }

  /**
   * The room's messages as the server sent them to this member: every ok join answer (the first
   * and each re-join after a reconnect) and every live event. The SDK reads the rest of a gap over
   * REST when a re-join says hasMore; a test keeps a reconnect's gap within one join page instead,
   * so that everything delivered is on the wire here.
   */
  get seen(): ChatMessage[] {
    const joins = this.client.calls.filter((c) => c.event === 'room:join' && (c.payload as { roomId: string }).roomId === this.roomId && (c.answer as Answer | undefined)?.ok);
    const pages = joins.map((c) => c.answer as { messages: ChatMessage[]; hasMore: boolean });
    if (pages.slice(1).some((p) => p.hasMore)) throw new Error(`the gap after a reconnect is longer than a join page in ${this.roomId}`);
    return [...pages.flatMap((p) => p.messages), ...this.client.roomMessages(this.roomId)];
  }

  /** Sends `count` messages one after another, each until acknowledged, pausing `gapMs` between them; starts none after `deadline`. */
  async sendMany(count: number, gapMs: number, deadline: number): Promise<void> {
    for (let i = 0; i < count && Date.now() < deadline; i++) {
      await this.sendUntilAcked(`${this.client.user.username} ${i}`, deadline);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /**
   * One message through the SDK. A send started before `deadline` keeps at least 15 s (an answer
   * window and a retry) to finish. A send that fails shows as never acknowledged in the checks.
   */
  async sendUntilAcked(text: string, deadline: number): Promise<void> {
    const clientMsgId = newClientMsgId();
    this.started.push({ clientMsgId, text });
    await this.client.sdk.send(this.roomId, text, { clientMsgId, deadlineMs: Math.max(15_000, deadline - Date.now()) }).catch(() => undefined);
  }

  private attemptsOf(clientMsgId: string): Attempt[] {
    const now = Date.now();
    return this.client.calls.filter((c) => c.event === 'message:send' && (c.payload as { clientMsgId?: unknown }).clientMsgId === clientMsgId).map((c) => attempt(c, now));
  }
}

function attempt(call: RecordedCall, now: number): Attempt {
  if (call.answeredAt !== undefined) {
    const answer = call.answer as Answer;
    const ms = call.answeredAt - call.sentAt;
    return answer.ok ? { at: call.answeredAt, ms, answer: 'ok', message: answer.message } : { at: call.answeredAt, ms, answer: answer.error.code };
  }
  if (call.cutAt !== undefined) return { at: call.cutAt, ms: call.cutAt - call.sentAt, answer: 'cut' };
  return { at: now, ms: now - call.sentAt, answer: 'silence' };
}

import { SERVER_EVENTS, type ClientEventName, type ServerEventName } from '@app/contracts';
import type { ChatTransport, EventAnswer, EventPayload, TransportEvents } from '@app/client';

/** A server event as the server sent it. */
export interface ReceivedEvent {
  event: ServerEventName;
  payload: unknown;
}

/** One acknowledged call that went out on the wire, and how it ended. */
export interface RecordedCall {
  readonly event: string;
  readonly payload: unknown;
  /** When it was emitted (epoch ms). */
  readonly sentAt: number;
  /** The acknowledgement, as the server sent it, and when it came. */
  answer?: unknown;
  answeredAt?: number;
  /** When the connection dropped before an answer (socket.io-client never answers it then). */
  cutAt?: number;
  /** Told when the connection drops before the answer. */
  onCut?: () => void;
}

/**
 * The SDK's socket.io-client transport with a recorder in front: every server event and every
 * call with its answer, exactly as they crossed the wire, before the SDK de-duplicates, orders or
 * retries anything. The guarantee tests (exactly once, one order, no gap) assert on this record:
 * a duplicate or a gap sent by the server must fail them, whatever the SDK would hide from an app.
 */
export class RecordingTransport implements ChatTransport {
  readonly received: ReceivedEvent[] = [];
  readonly calls: RecordedCall[] = [];
  private readonly pending = new Set<RecordedCall>();

  constructor(private readonly inner: ChatTransport) {
    // Registered before the SDK's own listeners, so the record is complete whatever they do.
    for (const event of SERVER_EVENTS) inner.on(event, (payload: unknown) => this.received.push({ event, payload }));
    inner.on('disconnect', () => {
      const at = Date.now();
      const cut = [...this.pending];
      this.pending.clear();
      for (const call of cut) {
        call.cutAt = at;
        call.onCut?.();
      }
    });
  }

  get connected(): boolean {
    return this.inner.connected;
  }

  open(): void {
    this.inner.open();
  }

  close(): void {
    this.inner.close();
  }

  on<E extends keyof TransportEvents>(event: E, listener: (payload: TransportEvents[E]) => void): void {
    this.inner.on(event, listener);
  }

  emit<E extends ClientEventName>(event: E, payload: EventPayload<E>, ack: (answer: EventAnswer<E>) => void): boolean {
    const call: RecordedCall = { event, payload, sentAt: Date.now() };
    const sent = this.inner.emit(event, payload, (answer) => {
      call.answer = answer;
      call.answeredAt = Date.now();
      this.pending.delete(call);
      ack(answer);
    });
    if (sent) {
      this.calls.push(call);
      this.pending.add(call);
    }
    return sent;
  }
}

/**
 * Stand-ins for the network in the SDK's unit tests: a stub transport (a scripted socket: the test
 * connects it to a named replica, drops it, answers each call or leaves it unanswered, and emits
 * server events) and a stub fetch for the REST API. Excluded from the build like other fixtures.
 */
import type { ChatMessage, ClientEventName, Room, Session } from '@app/contracts';
import type { FetchLike } from './rest';
import type { ChatTransport, EventAnswer, EventPayload, TransportEvents } from './transport';

export const message = (seq: number, over: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${seq}`,
  roomId: 'room1',
  seq,
  clientMsgId: `c${seq}`,
  user: { id: 'u1', username: 'alice' },
  text: `text ${seq}`,
  sentAt: new Date(0).toISOString(),
  ...over,
});

export const room = (id = 'room1'): Room => ({
  id,
  name: id,
  createdAt: new Date(0).toISOString(),
  createdBy: { id: 'u1', username: 'alice' },
  memberCount: 1,
  messageCount: 0,
});

export interface StubCall<E extends ClientEventName = ClientEventName> {
  event: E;
  payload: EventPayload<E>;
  /** The connection the call went out on (1 for the first). */
  connection: number;
  answered: boolean;
  answer(answer: EventAnswer<E>): void;
}

type Handler = (call: StubCall) => EventAnswer<ClientEventName> | undefined;
type Listeners = { [E in keyof TransportEvents]?: ((payload: TransportEvents[E]) => void)[] };

/** A stub transport: no socket, every step driven by the test. */
export class StubTransport implements ChatTransport {
  connected = false;
  opened = 0;
  closed = 0;
  connections = 0;
  readonly calls: StubCall[] = [];
  private readonly listeners: Listeners = {};
  private readonly handlers = new Map<ClientEventName, Handler>();

  open(): void {
    this.opened++;
  }

  close(): void {
    this.closed++;
    if (this.connected) this.drop('io client disconnect', false);
  }

  on<E extends keyof TransportEvents>(event: E, listener: (payload: TransportEvents[E]) => void): void {
    ((this.listeners[event] ??= []) as ((payload: TransportEvents[E]) => void)[]).push(listener);
  }

  emit<E extends ClientEventName>(event: E, payload: EventPayload<E>, ack: (answer: EventAnswer<E>) => void): boolean {
    if (!this.connected) return false;
    const connection = this.connections;
    const call: StubCall<E> = {
      event,
      payload,
      connection,
      answered: false,
      answer: (answer) => {
        // An ack of a connection that is gone never arrives (as with socket.io-client).
        if (call.answered || this.connections !== connection || !this.connected) return;
        call.answered = true;
        ack(answer);
      },
    };
    this.calls.push(call as unknown as StubCall);
    const answer = this.handlers.get(event)?.(call as unknown as StubCall);
    // Answered on a later microtask, like an ack from the network (a promise: fake timers leave those alone).
    if (answer !== undefined) void Promise.resolve().then(() => call.answer(answer as EventAnswer<E>));
    return true;
  }

  /** Answers every later call of `event` with what `handler` returns (undefined: leaves it unanswered). */
  handle<E extends ClientEventName>(event: E, handler: (call: StubCall<E>) => EventAnswer<E> | undefined): void {
    this.handlers.set(event, handler as unknown as Handler);
  }

  /** The connection comes up on a replica: `connect`, then the server's `session`. */
  connectTo(instance: string, session: Partial<Session> = {}): void {
    this.connected = true;
    this.connections++;
    this.fire('connect', undefined);
    this.fire('session', { userId: 'u1', username: 'alice', sessionId: `s${this.connections}`, instance, ...session });
  }

  /** The connection drops (a killed replica: `transport close`, socket.io-client reconnects). */
  drop(reason = 'transport close', willReconnect = true): void {
    this.connected = false;
    this.fire('disconnect', { reason, willReconnect });
  }

  /** A server → client event. */
  fire<E extends keyof TransportEvents>(event: E, payload: TransportEvents[E]): void {
    for (const listener of [...((this.listeners[event] ?? []) as ((payload: TransportEvents[E]) => void)[])]) listener(payload);
  }

  callsOf<E extends ClientEventName>(event: E): StubCall<E>[] {
    return this.calls.filter((c) => c.event === event) as unknown as StubCall<E>[];
  }
}

export interface StubRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * A stub fetch: each request is recorded and answered by `respond`, which may return a promise
 * the test resolves later (to hold a REST page back while live messages arrive).
 */
export function stubFetch(respond: (request: StubRequest) => { status: number; body: unknown; headers?: Record<string, string> } | Promise<{ status: number; body: unknown; headers?: Record<string, string> }>): FetchLike & { requests: StubRequest[] } {
  const requests: StubRequest[] = [];
  const fetch = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    const request = { url, method: init.method, headers: init.headers, body: init.body };
    requests.push(request);
    const { status, body, headers = {} } = await respond(request);
    return {
      status,
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
      json: () => Promise.resolve(body),
    };
  };
  return Object.assign(fetch, { requests });
}

/** A promise with its resolve, for answers the test releases at a chosen moment. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks and zero-delay timers run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setTimeout(r, 0));
}

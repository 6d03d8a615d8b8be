import { randomUUID } from 'node:crypto';
import type { ChatMessage, ClientEventName, ClientToServerEvents, ErrorBody, Session, User } from '@app/contracts';
import { ChatClient as SdkClient, login as sdkLogin, socketIoTransport, sourceAddress } from '@app/client';
import { RecordingTransport, type ReceivedEvent, type RecordedCall } from './recording-transport';

export const BASE_URL = process.env.CHATSTREAM_URL ?? 'http://127.0.0.1:3001';

/** The SDK's login against the topology under test. */
export const login = (username: string): Promise<{ token: string; user: User }> => sdkLogin(BASE_URL, username);

type OkOf<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[1] extends ((a: infer A) => void) | undefined ? Extract<A, { ok: true }> : never;
/** Any acknowledgement, as the server sent it: ok with its fields, or an error. */
export type RawAnswer = ({ ok: true } & Record<string, unknown>) | { ok: false; error: ErrorBody };

/**
 * A user of chatstream in a test: the SDK's ChatClient (`sdk`: login, rooms, joins, sends with
 * retries, recovery after a reconnect), on a socket bound to a source address (Nginx's ip_hash
 * sends different /24s of 127.0.0.0/8 to different replicas), behind a RecordingTransport.
 *
 * What the server sent is kept raw, before the SDK de-duplicates or orders anything: `messages`,
 * `events`, `sessions`. Tests of the delivery guarantees assert on these, so a duplicate
 * or a gap sent by the server fails them. `call` and `ok` speak the protocol itself, for tests of
 * what the server answers (bad input, a join with `since`, rate limits); every other flow goes
 * through `sdk`.
 */
export class ChatClient {
  readonly messages: ChatMessage[] = [];
  readonly sessions: Session[] = [];

  private constructor(
    readonly sdk: SdkClient,
    private readonly wire: RecordingTransport,
    readonly user: User,
    readonly token: string,
  ) {
    wire.on('session', (s) => this.sessions.push(s));
    wire.on('message', ({ message }) => this.messages.push(message));
  }

  static async connect(options: { username?: string; sourceIp?: string; token?: string; user?: User } = {}): Promise<ChatClient> {
    const who = options.token && options.user ? { token: options.token, user: options.user } : await login(options.username ?? `user-${randomUUID().slice(0, 8)}`);
    const wire = new RecordingTransport(
      socketIoTransport(BASE_URL, who.token, { initialDelayMs: 200, maxDelayMs: 1000 }, options.sourceIp ? { localAddress: options.sourceIp } : {}),
    );
    const client = new ChatClient(new SdkClient({ url: BASE_URL, token: who.token, transport: wire }), wire, who.user, who.token);
    await client.sdk.open();
    return client;
  }

  /** Every server event, in arrival order, as sent. */
  get events(): readonly ReceivedEvent[] {
    return this.wire.received;
  }

  /** Every acknowledged call that went out (the SDK's attempts and the raw ones) with its answer. */
  get calls(): readonly RecordedCall[] {
    return this.wire.calls;
  }

  get connected(): boolean {
    return this.wire.connected;
  }

  /** The latest `session` (one per connection, so a reconnect brings a new one). */
  get session(): Session {
    const s = this.sessions.at(-1);
    if (!s) throw new Error('no session yet');
    return s;
  }

  get instance(): string {
    return this.session.instance;
  }

  async nextSession(timeoutMs = 15_000): Promise<Session> {
    const seen = this.sessions.length;
    await until(() => this.sessions.length > seen, timeoutMs, `session for ${this.user.username}`, () => {
      if (this.sdk.state === 'closed') throw new Error(`connection closed for ${this.user.username}`);
    });
    return this.session;
  }

  /**
   * Raw protocol, on purpose: emits any event with any payload, valid or not, and resolves with
   * its acknowledgement as the server sent it; rejects when none comes in time or the connection
   * drops first. For tests of the server's answers (bad input); the SDK never sends a malformed payload.
   */
  call(event: string, payload: unknown, timeoutMs = 15_000): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${event} within ${timeoutMs} ms`)), timeoutMs);
      const sent = (this.wire.emit as (e: string, p: unknown, ack: (a: RawAnswer) => void) => boolean)(event, payload, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      if (!sent) {
        clearTimeout(timer);
        reject(new Error(`${event}: not connected`));
        return;
      }
      this.wire.calls.at(-1)!.onCut = () => {
        clearTimeout(timer);
        reject(new Error(`${event}: the connection dropped before the answer`));
      };
    });
  }

  /**
   * Raw protocol, on purpose, for tests of the server's own answer (a join with `since`, the page
   * it answers): like call, but typed, and fails unless the answer is ok. The SDK does not learn
   * of a room joined this way.
   */
  async ok<E extends ClientEventName>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<OkOf<E>> {
    const answer = await this.call(event, payload);
    if (!answer.ok) throw new Error(`${event} failed: ${JSON.stringify(answer.error)}`);
    return answer as unknown as OkOf<E>;
  }

  /** The SDK's send (retried with one clientMsgId until answered), to a room joined with `sdk.join`. */
  send(roomId: string, text: string, clientMsgId?: string): Promise<ChatMessage> {
    return this.sdk.send(roomId, text, clientMsgId ? { clientMsgId } : {});
  }

  /** The room's `message` events as the server sent them (duplicates and gaps included). */
  roomMessages(roomId: string): ChatMessage[] {
    return this.messages.filter((m) => m.roomId === roomId);
  }

  close(): void {
    this.sdk.close();
  }
}

export async function until(condition: () => boolean, timeoutMs: number, what: string, check?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    check?.();
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Connects clients from successive /24s until each of the `replicas` instances has at least
 * `perReplica` of them (bounded: at most 60 addresses), closing the extras.
 */
export async function clientsOnEveryReplica(replicas: number, perReplica = 1, firstSubnet = 1): Promise<ChatClient[][]> {
  const byInstance = new Map<string, ChatClient[]>();
  for (let n = firstSubnet; n < firstSubnet + 60; n++) {
    const client = await ChatClient.connect({ sourceIp: sourceAddress(n) });
    const list = byInstance.get(client.instance) ?? [];
    if (list.length < perReplica) {
      list.push(client);
      byInstance.set(client.instance, list);
    } else {
      client.close();
    }
    if (byInstance.size === replicas && [...byInstance.values()].every((l) => l.length >= perReplica)) {
      return [...byInstance.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, l]) => l);
    }
  }
  for (const list of byInstance.values()) list.forEach((c) => c.close());
  throw new Error(`could not reach ${replicas} replicas from 60 source addresses (got ${[...byInstance.keys()].join(', ')})`);
}

/** The same user connected again from a /24 that lands on another replica than `avoid`. */
export async function reconnectElsewhere(user: ChatClient, avoid: string, firstSubnet: number): Promise<ChatClient> {
  for (let n = firstSubnet; n < firstSubnet + 30; n++) {
    const c = await ChatClient.connect({ token: user.token, user: user.user, sourceIp: sourceAddress(n) });
    if (c.instance !== avoid) return c;
    c.close();
  }
  throw new Error(`no other replica than ${avoid} reachable`);
}

/** A new room that every given client has joined (the first one creates it), through the SDK. */
export async function roomWith(name: string, ...clients: ChatClient[]): Promise<string> {
  const room = await clients[0]!.sdk.createRoom(name);
  for (const c of clients) await c.sdk.join(room.id);
  return room.id;
}

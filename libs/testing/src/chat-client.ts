import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  AckAnswer,
  ChatMessage,
  ClientToServerEvents,
  ErrorBody,
  HistoryPage,
  ServerToClientEvents,
  Session,
  User,
} from '@app/contracts';

export const BASE_URL = process.env.CHATSTREAM_URL ?? 'http://127.0.0.1:3001';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Payload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type OkOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends ((a: infer A) => void) | undefined
  ? Extract<A, { ok: true }>
  : never;

export async function login(username: string): Promise<{ token: string; user: User }> {
  const response = await fetch(`${BASE_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { token: string; user: User };
}

/**
 * A socket.io-client user of the public protocol, bound to a source address: Nginx's ip_hash
 * uses the first three octets, so clients from different /24s of 127.0.0.0/8 land on different
 * replicas. Records everything the server sends, for assertions.
 */
export class ChatClient {
  readonly messages: ChatMessage[] = [];
  readonly events: { event: string; payload: unknown }[] = [];
  readonly errors: ErrorBody[] = [];
  private sessions: Session[] = [];

  private constructor(
    readonly socket: TestSocket,
    readonly user: User,
    readonly token: string,
  ) {
    socket.on('session', (s) => this.sessions.push(s));
    socket.on('message', ({ message }) => this.messages.push(message));
    socket.on('error', (e) => this.errors.push(e));
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  static async connect(options: { username?: string; sourceIp?: string; token?: string; user?: User } = {}): Promise<ChatClient> {
    const who = options.token && options.user ? { token: options.token, user: options.user } : await login(options.username ?? `user-${randomUUID().slice(0, 8)}`);
    const socket: TestSocket = io(BASE_URL, {
      auth: { token: who.token },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      forceNew: true,
      ...(options.sourceIp ? { localAddress: options.sourceIp } : {}),
    } as Parameters<typeof io>[1]);
    const client = new ChatClient(socket, who.user, who.token);
    await client.nextSession();
    return client;
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
      if (!this.socket.connected && !this.socket.active) throw new Error(`connection refused for ${this.user.username}`);
    });
    return this.session;
  }

  /** Emits an event with any payload, valid or not, and resolves with its acknowledgement (ok or not). */
  call<E extends keyof ClientToServerEvents>(event: E, payload: unknown, timeoutMs = 15_000): Promise<AckAnswer<object> & Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${String(event)} within ${timeoutMs} ms`)), timeoutMs);
      (this.socket.emit as (e: string, p: unknown, ack: (a: never) => void) => void)(event, payload, (answer: never) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  /** Like call, but fails unless the answer is ok. */
  async ok<E extends keyof ClientToServerEvents>(event: E, payload: Payload<E>): Promise<OkOf<E>> {
    const answer = await this.call(event, payload);
    if (!answer.ok) throw new Error(`${String(event)} failed: ${JSON.stringify(answer.error)}`);
    return answer as unknown as OkOf<E>;
  }

  /** Sends like a well-behaved client: waits out `rate_limited` and retries with the same clientMsgId. */
  async send(roomId: string, text: string, clientMsgId: string = randomUUID()): Promise<ChatMessage> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const answer = await this.call('message:send', { roomId, text, clientMsgId });
      if (answer.ok) return (answer as unknown as { message: ChatMessage }).message;
      if (answer.error.code !== 'rate_limited') throw new Error(`message:send failed: ${JSON.stringify(answer.error)}`);
      await new Promise((r) => setTimeout(r, answer.error.retryAfterMs ?? 100));
    }
    throw new Error('message:send still rate limited after 50 attempts');
  }

  roomMessages(roomId: string): ChatMessage[] {
    return this.messages.filter((m) => m.roomId === roomId);
  }

  close(): void {
    this.socket.disconnect();
  }
}

export async function until(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  check?: () => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    check?.();
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The source address of the n-th /24 (n >= 1). */
export const sourceIp = (n: number): string => `127.0.${n}.1`;

/**
 * Connects clients from successive /24s until each of the `replicas` instances has at least
 * `perReplica` of them (bounded: at most 60 addresses), closing the extras.
 */
export async function clientsOnEveryReplica(replicas: number, perReplica = 1, firstSubnet = 1): Promise<ChatClient[][]> {
  const byInstance = new Map<string, ChatClient[]>();
  for (let n = firstSubnet; n < firstSubnet + 60; n++) {
    const client = await ChatClient.connect({ sourceIp: sourceIp(n) });
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

/** A history answer's JSON: a page when the status is 200, otherwise `{ error }`. */
export type HistoryBody = Partial<HistoryPage> & { error?: ErrorBody };

export async function history(token: string, roomId: string, query = ''): Promise<{ status: number; body: HistoryBody }> {
  const response = await fetch(`${BASE_URL}/api/rooms/${roomId}/messages${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as HistoryBody };
}

/** Pages through the whole history of a room with ?after= (what a client does to catch up). */
export async function fullHistory(token: string, roomId: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  let after = 0;
  for (let page = 0; page < 1000; page++) {
    const { status, body } = await history(token, roomId, `?after=${after}&limit=100`);
    if (status !== 200) throw new Error(`history ${status}: ${JSON.stringify(body)}`);
    all.push(...body.messages!);
    if (!body.hasMore) return all;
    after = all.at(-1)!.seq;
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

/** The same user connected again from a /24 that lands on another replica than `avoid`. */
export async function reconnectElsewhere(user: ChatClient, avoid: string, firstSubnet: number): Promise<ChatClient> {
  for (let n = firstSubnet; n < firstSubnet + 30; n++) {
    const c = await ChatClient.connect({ token: user.token, user: user.user, sourceIp: sourceIp(n) });
    if (c.instance !== avoid) return c;
    c.close();
  }
  throw new Error(`no other replica than ${avoid} reachable`);
}

/** A new room that every given client has joined (the first one creates it). */
export async function roomWith(name: string, ...clients: ChatClient[]): Promise<string> {
  const { room } = await clients[0]!.ok('room:create', { name });
  for (const c of clients) await c.ok('room:join', { roomId: room.id });
  return room.id;
}

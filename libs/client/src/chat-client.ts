import type { ChatMessage, HistoryPage, PresenceEvent, Room, Session, User } from '@app/contracts';
import type { BackoffOptions } from './backoff';
import { callWithRetry, type RetryPolicy } from './call-retry';
import { Connection } from './connection';
import type { ConnectionState, StateChange } from './connection-state';
import { ChatClientError, isTransient } from './errors';
import { RestApi, type FetchLike, type HistoryQuery } from './rest';
import { RoomFeed } from './room-feed';
import { RoomRecovery, type JoinedRoom } from './room-recovery';
import { sendWithRetry, type SendOptions } from './send-retry';
import { socketIoTransport, type ReconnectionOptions, type SocketPassthrough } from './socket-io-transport';
import type { ChatTransport } from './transport';
import { TypedEmitter } from './typed-emitter';
import { TypingThrottle } from './typing-throttle';

export interface ChatClientOptions {
  /** The chatstream address (Nginx), e.g. `http://127.0.0.1:3001`; REST is under `${url}/api`. In a page served by chatstream: `location.origin`. */
  url: string;
  /** From `login()` (POST /api/auth/login). */
  token: string;
  /** socket.io-client's reconnection backoff. */
  reconnection?: ReconnectionOptions;
  /** socket.io-client options passed through, e.g. `{ localAddress: '127.0.2.1' }` on Node to pick the source address. */
  socket?: SocketPassthrough;
  /** Backoff between retries of a call (the server's retryAfterMs always comes first). */
  backoff?: BackoffOptions;
  /** The first connection's deadline (open / ChatClient.connect). Default 15 s. */
  connectTimeoutMs?: number;
  /** How long one attempt waits for its answer: the server answers every send within 10 s. Default 12 s. */
  answerTimeoutMs?: number;
  /** A send's overall deadline, retries and reconnects included (default 30 s; keep it well inside the 5 min retry window). */
  sendDeadlineMs?: number;
  /** Deadline of the other calls (join, rooms, createRoom, rename, leave). Default 30 s. */
  callDeadlineMs?: number;
  /** For tests and other runtimes: the socket (default socket.io-client) and fetch (default the global one). */
  transport?: ChatTransport;
  fetch?: FetchLike;
}

export interface JoinResult {
  room: Room;
  members: User[];
  /** The room's newest messages (at most 50), oldest first; also delivered as `message` events. */
  messages: ChatMessage[];
  /** Older messages exist: read them with history(roomId, { before: messages[0].seq }). */
  hasOlder: boolean;
}

export interface ChatClientEvents {
  /** The connection's state changed (connecting, catching-up, live, reconnecting, closed). */
  state: StateChange;
  /** A room's messages, each exactly once, in seq order per room, across reconnects. */
  message: ChatMessage;
  presence: { roomId: string; event: PresenceEvent; user: User; members: User[] };
  typing: { roomId: string; user: User; typing: boolean };
  /** The room was deleted (an admin, or the empty-room reaper while the client was away); the client has left it. */
  'room:deleted': { roomId: string };
  /** After a reconnect the room could not be re-joined (room_full, forbidden, ...); the client has left it. join() again to retry. */
  'room:lost': { roomId: string; error: ChatClientError };
  /** An `error` event from the server (it sends one only for an event without acknowledgement; the SDK always asks for one). */
  error: ChatClientError;
}

export type TypingResult = 'sent' | 'throttled' | 'offline';

const DEFAULTS = { connectTimeoutMs: 15_000, answerTimeoutMs: 12_000, sendDeadlineMs: 30_000, callDeadlineMs: 30_000, historyPageLimit: 100 };

/**
 * The chatstream client SDK: one connection (socket.io-client through Nginx) and the REST API,
 * with the recovery PROTOCOL.md asks of a client done for you. After a reconnect, to whichever
 * replica, every joined room is re-joined with `since` and paged over REST: each room's messages
 * arrive once, in seq order. Sends are retried with their clientMsgId until answered. Works in
 * Node 20 and browsers (socket.io-client, global fetch and crypto; no Node modules).
 */
export class ChatClient extends TypedEmitter<ChatClientEvents> {
  private readonly connection: Connection;
  private readonly rest: RestApi;
  private readonly recovery: RoomRecovery;
  private readonly joined = new Map<string, JoinedRoom>();
  /** Why a room is no longer joined, for calls that wait on it. */
  private readonly gone = new Map<string, ChatClientError>();
  private readonly typingThrottle = new TypingThrottle();
  private readonly settings: typeof DEFAULTS & { backoff: BackoffOptions };
  private currentUser: User | undefined;

  /** Connects and resolves once the server has sent the session (or rejects: refused, or not within connectTimeoutMs). */
  static async connect(options: ChatClientOptions): Promise<ChatClient> {
    const client = new ChatClient(options);
    await client.open();
    return client;
  }

  /** Creates the client without connecting: add listeners, then open(). */
  constructor(options: ChatClientOptions) {
    super();
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      answerTimeoutMs: options.answerTimeoutMs ?? DEFAULTS.answerTimeoutMs,
      sendDeadlineMs: options.sendDeadlineMs ?? DEFAULTS.sendDeadlineMs,
      callDeadlineMs: options.callDeadlineMs ?? DEFAULTS.callDeadlineMs,
      historyPageLimit: DEFAULTS.historyPageLimit,
      backoff: options.backoff ?? {},
    };
    const transport = options.transport ?? socketIoTransport(options.url, options.token, options.reconnection, options.socket);
    this.rest = new RestApi(options.url, options.token, options.fetch);
    this.connection = new Connection(
      transport,
      (change) => this.emit('state', change),
      (session, epoch) => this.onSession(session, epoch),
    );
    this.recovery = new RoomRecovery(
      this.connection,
      (roomId, query) => this.rest.history(roomId, query),
      { answerTimeoutMs: this.settings.answerTimeoutMs, backoff: this.settings.backoff, pageLimit: this.settings.historyPageLimit },
      {
        joined: () => this.connection.notify(),
        caughtUp: () => this.refreshState(),
        gone: (room, error) => this.roomGone(room, error),
      },
      (room) => this.joined.get(room.roomId) === room,
    );
    transport.on('disconnect', () => this.onDisconnect());
    // Only a connection that is up brings live messages (a stub or a late event of a dead one must not count).
    transport.on('message', ({ message }) => {
      if (this.connection.epoch !== undefined) this.joined.get(message.roomId)?.feed.live(message);
    });
    transport.on('presence', (presence) => this.onPresence(presence));
    transport.on('typing', (typing) => this.emit('typing', typing));
    transport.on('room:deleted', ({ roomId }) => {
      const room = this.joined.get(roomId);
      if (room) this.roomGone(room, new ChatClientError('not_found', `room ${roomId} was deleted`));
    });
    transport.on('error', (body) => this.emit('error', ChatClientError.fromBody(body)));
  }

  /** Opens the connection; resolves at the first session. */
  async open(): Promise<void> {
    this.connection.open();
    const deadline = Date.now() + this.settings.connectTimeoutMs;
    try {
      await this.connection.until(
        () => this.connection.epoch,
        () => this.connection.closedError,
        deadline,
        'connect',
      );
    } catch (error) {
      this.close();
      throw error;
    }
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The current connection's session (the last one while reconnecting); `instance` names the replica. */
  get session(): Session | undefined {
    return this.connection.session;
  }

  get instance(): string | undefined {
    return this.connection.session?.instance;
  }

  /** This user, with the name of its latest rename. */
  get user(): User | undefined {
    return this.currentUser;
  }

  /** The rooms this client is in (or joining). */
  joinedRooms(): string[] {
    return [...this.joined.keys()];
  }

  /** A joined room's members, as of its join answer and the presence events since. */
  members(roomId: string): User[] {
    return [...(this.joined.get(roomId)?.members ?? [])];
  }

  /** The seq of the last message delivered in a room (the `since` of its next re-join). */
  lastSeq(roomId: string): number | undefined {
    return this.joined.get(roomId)?.feed.lastSeq;
  }

  /**
   * Joins a room: its newest messages, then every new one, arrive as `message` events; after any
   * reconnect the room is re-joined and caught up by itself. Joining a room already joined answers
   * its first join again without asking the server.
   */
  async join(roomId: string, options: { deadlineMs?: number } = {}): Promise<JoinResult> {
    let room = this.joined.get(roomId);
    if (!room) {
      room = { roomId, feed: new RoomFeed(roomId, 0, (message) => this.emit('message', message)), joinedBefore: false, joinedOn: undefined, members: [] };
      this.joined.set(roomId, room);
      this.gone.delete(roomId);
      const epoch = this.connection.epoch;
      // Not connected: the next session's recovery joins it (as every room it does not hold yet).
      if (epoch !== undefined) void this.recovery.recover(room, epoch);
    }
    const joining = room;
    try {
      const first = await this.connection.until(
        () => joining.firstAnswer,
        () => this.connection.closedError ?? (this.joined.get(roomId) === joining ? undefined : this.goneError(roomId)),
        Date.now() + (options.deadlineMs ?? this.settings.callDeadlineMs),
        `join ${roomId}`,
      );
      return { room: first.room, members: first.members, messages: first.messages, hasOlder: first.hasMore };
    } catch (error) {
      // Given up before the first answer: forget the room, so no later connection joins it behind the caller's back.
      if (this.joined.get(roomId) === joining && !joining.joinedBefore) this.joined.delete(roomId);
      throw error;
    }
  }

  /** Leaves a room (idempotent). Its messages stop at once, and no reconnect re-joins it. */
  async leave(roomId: string): Promise<void> {
    const room = this.joined.get(roomId);
    this.joined.delete(roomId);
    this.gone.set(roomId, new ChatClientError('forbidden', `left room ${roomId}`));
    this.typingThrottle.forget(roomId);
    this.connection.notify();
    this.refreshState();
    // Joined on this connection: tell the server. Otherwise there is nothing to undo (a new connection holds no room).
    if (!room || room.joinedOn === undefined || !this.connection.isCurrent(room.joinedOn)) return;
    await callWithRetry(this.connection, 'room:leave', { roomId }, this.policy({ ready: () => Promise.resolve(), repeatUnanswered: false })).catch((error: ChatClientError) => {
      // A connection lost before the answer leaves the room anyway.
      if (error.code !== 'timeout') throw error;
    });
  }

  /** Sends a message, exactly once however many retries it takes; resolves with the stored message (its id and seq). */
  send(roomId: string, text: string, options?: SendOptions): Promise<ChatMessage> {
    const settings = { deadlineMs: this.settings.sendDeadlineMs, answerTimeoutMs: this.settings.answerTimeoutMs, backoff: this.settings.backoff };
    return sendWithRetry(this.connection, (id, deadline) => this.joinedHere(id, deadline), roomId, text, settings, options);
  }

  /** A page of a room's history over REST (PROTOCOL.md: limit 1–100, before or after a seq, oldest first). */
  history(roomId: string, query: HistoryQuery = {}): Promise<HistoryPage> {
    return this.rest.history(roomId, query);
  }

  /** Every room (`rooms:list`). */
  async rooms(): Promise<Room[]> {
    return (await callWithRetry(this.connection, 'rooms:list', {}, this.policy({ repeatUnanswered: true }))).rooms;
  }

  /** Creates a room (not joined). Not repeated after `unavailable` or a lost answer: the room may exist then. */
  async createRoom(name: string): Promise<Room> {
    const policy = this.policy({ repeatUnanswered: false, retryOn: (code) => code === 'rate_limited' });
    return (await callWithRetry(this.connection, 'room:create', { name }, policy)).room;
  }

  /** Renames this user everywhere (every tab, every room hears a presence `rename`). */
  async rename(username: string): Promise<User> {
    const { user } = await callWithRetry(this.connection, 'user:rename', { username }, this.policy({ repeatUnanswered: true }));
    this.currentUser = user;
    return user;
  }

  /**
   * Tells the room's other members whether this user is typing. Call it on every keystroke: an
   * unchanged `true` goes out at most once a second per room. Not sent while offline (an indicator
   * expires by itself after 5 s); never retried.
   */
  async typing(roomId: string, isTyping: boolean): Promise<TypingResult> {
    const room = this.joined.get(roomId);
    if (!room || room.joinedOn === undefined || !this.connection.isCurrent(room.joinedOn)) return 'offline';
    if (!this.typingThrottle.admit(roomId, isTyping, Date.now())) return 'throttled';
    const outcome = await this.connection.call('typing', { roomId, typing: isTyping }, this.settings.answerTimeoutMs);
    if (outcome.kind !== 'answer') return 'offline';
    if (!outcome.answer.ok) throw ChatClientError.fromBody(outcome.answer.error);
    return 'sent';
  }

  /** Disconnects for good; pending calls fail with `closed`. */
  close(): void {
    this.connection.close(new ChatClientError('closed', 'closed by the client'));
  }

  private onSession(session: Session, epoch: number): void {
    this.currentUser = { id: session.userId, username: session.username };
    this.typingThrottle.forget();
    // Every room is (re-)joined on the new connection, in parallel (the server expects a reconnect to re-join all at once).
    for (const room of this.joined.values()) void this.recovery.recover(room, epoch);
    this.refreshState();
  }

  private onDisconnect(): void {
    for (const room of this.joined.values()) {
      room.joinedOn = undefined;
      room.feed.discard();
    }
  }

  private onPresence(presence: ChatClientEvents['presence']): void {
    const room = this.joined.get(presence.roomId);
    if (room) room.members = presence.members;
    // Another tab of this user renamed it.
    if (presence.event === 'rename' && presence.user.id === this.currentUser?.id) this.currentUser = presence.user;
    this.emit('presence', presence);
  }

  /** live once every room joined before is re-joined and caught up on this connection; catching-up until then. */
  private refreshState(): void {
    const epoch = this.connection.epoch;
    if (epoch === undefined) return; // connecting, reconnecting or closed: the connection says which
    const behind = [...this.joined.values()].some((room) => room.joinedBefore && (room.joinedOn !== epoch || room.feed.catchingUp));
    this.connection.set(behind ? 'catching-up' : 'live');
  }

  private roomGone(room: JoinedRoom, error: ChatClientError): void {
    if (this.joined.get(room.roomId) !== room) return;
    this.joined.delete(room.roomId);
    room.feed.discard();
    this.gone.set(room.roomId, error);
    this.typingThrottle.forget(room.roomId);
    // Joined on this connection but its gap could not be read: leave it on the server too (a deleted room has no one left in it).
    if (error.code !== 'not_found' && room.joinedOn !== undefined && this.connection.isCurrent(room.joinedOn)) {
      void this.connection.call('room:leave', { roomId: room.roomId }, this.settings.answerTimeoutMs);
    }
    this.connection.notify();
    this.refreshState();
    // join()'s caller hears of a first join's failure from its rejection; a room it was in, from an event.
    if (!room.joinedBefore) return;
    if (error.code === 'not_found') this.emit('room:deleted', { roomId: room.roomId });
    else this.emit('room:lost', { roomId: room.roomId, error });
  }

  private goneError(roomId: string): ChatClientError {
    return this.gone.get(roomId) ?? new ChatClientError('forbidden', `join room ${roomId} before sending to it`);
  }

  /** Resolves once the room is joined on the current connection (sends wait for the re-join after a reconnect). */
  private joinedHere(roomId: string, deadline: number): Promise<unknown> {
    return this.connection.until(
      () => {
        const room = this.joined.get(roomId);
        return room?.joinedOn !== undefined && this.connection.isCurrent(room.joinedOn) ? true : undefined;
      },
      () => this.connection.closedError ?? (this.joined.has(roomId) ? undefined : this.goneError(roomId)),
      deadline,
      `send to ${roomId}`,
    );
  }

  private policy(overrides: Partial<RetryPolicy> & Pick<RetryPolicy, 'repeatUnanswered'>): RetryPolicy {
    return {
      deadline: Date.now() + this.settings.callDeadlineMs,
      answerTimeoutMs: this.settings.answerTimeoutMs,
      backoff: this.settings.backoff,
      retryOn: (code) => isTransient(code as ChatClientError['code']),
      ready: (deadline) => this.connection.until(() => this.connection.epoch, () => this.connection.closedError, deadline, 'connect'),
      ...overrides,
    };
  }
}

import { loadConfig } from '@app/config';
import { ChatError, type ChatMessage, type HistoryPage, type Room, type User } from '@app/contracts';
import type { MessagesTopic, PersistedProgress } from '@app/kafka';
import type { MessagesRepository, RoomDocument } from '@app/mongo';
import type { RoomPresence } from '@app/redis';
import { ChatMetrics } from '@app/observability';
import { JoinBuffer } from '../live/join-buffer';
import type { LiveStream } from '../live/live-stream.service';
import { RoomTails } from '../live/room-tails';
import type { PresenceNotifier } from '../presence/presence-notifier.service';
import type { LocalSockets } from '../socket/local-sockets';
import type { ChatSocket } from '../socket/socket-state';
import type { RoomDirectory } from './room-directory.service';
import { JoinHistory } from './join-history.service';
import { RoomMembership } from './room-membership.service';

const alice: User = { id: 'u-alice', username: 'alice' };
const bob: User = { id: 'u-bob', username: 'bob' };
const PARTITION = 3;

const aMessage = (seq: number, roomId = 'r1'): ChatMessage => ({
  id: `m${seq}`,
  roomId,
  seq,
  clientMsgId: `c${seq}`,
  user: bob,
  text: `message ${seq}`,
  sentAt: '2026-01-01T00:00:00.000Z',
});

const aRoom = (id: string, memberCount: number): Room => ({ id, name: `room ${id}`, createdAt: '2026-01-01T00:00:00.000Z', createdBy: bob, memberCount, messageCount: 0 });
const aRoomDocument = (id: string): RoomDocument => ({ _id: id, name: `room ${id}`, createdAt: new Date('2026-01-01T00:00:00.000Z'), createdBy: bob, messageCount: 0, lastActivityAt: null });

/** A socket of `user` (already in `rooms`) that records the messages emitted to it. */
function aSocket(user: User = alice, rooms: string[] = []) {
  const emitted: ChatMessage[] = [];
  const data = { user, sessionId: `s-${user.id}`, rooms: new Set(rooms), address: '127.0.0.1' };
  const socket = {
    id: `sock-${user.id}`,
    data,
    emit: (event: string, payload: { message: ChatMessage }) => {
      if (event === 'message') emitted.push(payload.message);
      return true;
    },
  } as unknown as ChatSocket;
  return { socket, emitted };
}

/** A stub RoomPresence (no Redis): entries per room in memory, with the capacity rule of the Lua script. */
function stubPresence() {
  const rooms = new Map<string, Map<string, User>>();
  const entriesOf = (roomId: string) => rooms.get(roomId) ?? rooms.set(roomId, new Map()).get(roomId)!;
  const membersOf = (roomId: string): User[] => [...new Map([...entriesOf(roomId).values()].map((u) => [u.id, u])).values()];
  const presence = {
    join: async (roomId: string, entry: string, user: User, capacity: number) => {
      const entries = entriesOf(roomId);
      const users = new Set([...entries.values()].map((u) => u.id));
      if (!users.has(user.id) && users.size >= capacity) return { admitted: 'full', members: membersOf(roomId) };
      entries.set(entry, user);
      return { admitted: users.has(user.id) ? 'again' : 'added', members: membersOf(roomId) };
    },
    leave: async (roomId: string, entry: string) => (entriesOf(roomId).delete(entry), membersOf(roomId)),
    members: async (roomId: string): Promise<User[]> => membersOf(roomId),
  } as unknown as RoomPresence;
  return { presence, entries: entriesOf };
}

/** A stub LiveStream (no Kafka): real JoinBuffers; `deliver` holds a live message in the room's open joins, as the stream does. */
function stubLive(untilSeq: number) {
  const open = new Set<JoinBuffer>();
  const state = { begun: [] as { roomId: string; partition: number }[], ended: [] as JoinBuffer[], roomNewestSeq: undefined as number | undefined };
  const live = {
    historyNeeded: (_roomId: string, _partition: number, until: number) => Math.min(state.roomNewestSeq ?? until, until),
    beginJoin: (roomId: string, partition: number) => {
      state.begun.push({ roomId, partition });
      const buffer = new JoinBuffer(roomId, untilSeq);
      open.add(buffer);
      return buffer;
    },
    endJoin: (buffer: JoinBuffer) => {
      state.ended.push(buffer);
      open.delete(buffer);
    },
  } as unknown as LiveStream;
  const deliver = (...messages: ChatMessage[]) => messages.forEach((m) => open.forEach((b) => b.roomId === m.roomId && b.hold(m)));
  return { live, deliver, open, state };
}

/** A stub LocalSockets (no Socket.IO server): which sockets receive which room's live events. */
function stubSockets() {
  const subscribed = new Set<string>();
  const sockets = {
    subscribe: (socket: ChatSocket, roomId: string) => subscribed.add(`${socket.id}|${roomId}`),
    unsubscribe: (socket: ChatSocket, roomId: string) => subscribed.delete(`${socket.id}|${roomId}`),
  } as unknown as LocalSockets;
  return { sockets, isSubscribed: (socket: ChatSocket, roomId: string) => subscribed.has(`${socket.id}|${roomId}`) };
}

type StoreFailure = 'down' | 'silent' | undefined;

/**
 * RoomMembership over stubs of every collaborator; history holds seq 1..`stored` of room r1.
 * JoinHistory is the real one with its memory off (ROOM_TAIL_MESSAGES=0), so every join reads the stub store.
 */
function build(options: { untilSeq?: number; stored?: number; capacity?: number } = {}) {
  const untilSeq = options.untilSeq ?? 5;
  const config = loadConfig({ JWT_SECRET: 'test-secret-of-enough-length', INSTANCE_ID: 'gw-1', ROOM_CAPACITY: String(options.capacity ?? 100), ROOM_TAIL_MESSAGES: '0' });
  const history = Array.from({ length: options.stored ?? untilSeq }, (_, i) => aMessage(i + 1));
  const store = { failure: undefined as StoreFailure, reads: [] as unknown[][], beforeAnswer: () => undefined as void };
  const read = (args: unknown[], page: () => HistoryPage): Promise<HistoryPage> => {
    store.reads.push(args);
    store.beforeAnswer();
    if (store.failure === 'down') return Promise.reject(new Error('connection refused'));
    if (store.failure === 'silent') return new Promise<HistoryPage>(() => undefined);
    return Promise.resolve(page());
  };
  const messages = {
    newest: (roomId: string, until: number, limit: number) =>
      read(['newest', roomId, until, limit], () => {
        const upTo = history.filter((m) => m.seq <= until);
        return { messages: upTo.slice(-limit), hasMore: upTo.length > limit };
      }),
    range: (roomId: string, since: number, until: number, limit: number) =>
      read(['range', roomId, since, until, limit], () => {
        const after = history.filter((m) => m.seq > since && m.seq <= until);
        return { messages: after.slice(0, limit), hasMore: after.length > limit };
      }),
  } as unknown as MessagesRepository;
  const directory = { require: async (roomId: string) => aRoomDocument(roomId) } as unknown as RoomDirectory;
  const announcements: { roomId: string; event: string; user: User; members: User[] }[] = [];
  const notifier = {
    announce: async (roomId: string, event: string, user: User, members: User[]) => void announcements.push({ roomId, event, user, members }),
  } as unknown as PresenceNotifier;
  const topic = { partitionOf: () => PARTITION } as unknown as MessagesTopic;
  const waits: [number, number][] = [];
  const persister = { behind: false };
  const progress = {
    waitFor: async (partition: number, nextOffset: number) => {
      waits.push([partition, nextOffset]);
      // What PersistedProgress answers when the persister does not get there within the bound.
      if (persister.behind) throw new ChatError('unavailable', 'history is catching up; retry the join shortly', 1000);
    },
  } as unknown as PersistedProgress;
  const { presence, entries } = stubPresence();
  const live = stubLive(untilSeq);
  const local = stubSockets();
  const joinHistory = new JoinHistory(new RoomTails(config.chat.roomTail), progress, messages, new ChatMetrics(config), config);
  const sut = new RoomMembership(directory, presence, notifier, live.live, local.sockets, topic, joinHistory, config);
  return { sut, store, persister, live, local, presence, entries, announcements, waits, entryOf: (socket: ChatSocket) => `gw-1|${socket.id}` };
}

describe('RoomMembership.join (stub directory, presence, notifier, live stream, local sockets, topic, progress, store)', () => {
  afterEach(() => jest.useRealTimers());

  it('answers room_full when the room has no place for another user, and holds nothing for the socket', async () => {
    const t = build({ capacity: 1 });
    await t.presence.join('r1', 'gw-2|other', bob, 1);
    const { socket } = aSocket(alice);
    await expect(t.sut.join(socket, { roomId: 'r1' })).rejects.toMatchObject({ code: 'room_full' });
    expect(t.live.state.begun).toHaveLength(0);
    expect(t.local.isSubscribed(socket, 'r1')).toBe(false);
    expect(socket.data.rooms.has('r1')).toBe(false);
  });

  it('answers the room, its members and the newest history up to what the live stream had handled', async () => {
    const t = build({ untilSeq: 5, stored: 5 });
    await t.presence.join('r1', 'gw-2|other', bob, 100);
    const { answer } = await t.sut.join(aSocket(alice).socket, { roomId: 'r1' });
    expect(t.live.state.begun).toEqual([{ roomId: 'r1', partition: PARTITION }]);
    expect(t.waits).toEqual([[PARTITION, 5]]);
    expect(t.store.reads).toEqual([['newest', 'r1', 5, 50]]);
    expect(answer).toEqual({ room: aRoom('r1', 2), members: [bob, alice], messages: [1, 2, 3, 4, 5].map((s) => aMessage(s)), hasMore: false });
  });

  it('waits for history only up to the room\'s newest record read by the live stream, and reads up to the join\'s position', async () => {
    const t = build({ untilSeq: 9, stored: 4 });
    t.live.state.roomNewestSeq = 4; // seqs 5..9 of the partition belong to other rooms
    const { answer } = await t.sut.join(aSocket(alice).socket, { roomId: 'r1' });
    expect(t.waits).toEqual([[PARTITION, 4]]);
    expect(t.store.reads).toEqual([['newest', 'r1', 9, 50]]);
    expect(answer.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('reads history after `since` when the client gives one', async () => {
    const t = build({ untilSeq: 5 });
    const { answer } = await t.sut.join(aSocket(alice).socket, { roomId: 'r1', since: 3 });
    expect(t.store.reads).toEqual([['range', 'r1', 3, 5, 200]]);
    expect(answer.messages.map((m) => m.seq)).toEqual([4, 5]);
  });

  it('puts the socket in the room only when goLive() runs after the answer, and announces the join then', async () => {
    const t = build();
    const { socket } = aSocket(alice);
    const { goLive } = await t.sut.join(socket, { roomId: 'r1' });
    expect(t.local.isSubscribed(socket, 'r1')).toBe(false);
    expect(socket.data.rooms.has('r1')).toBe(false);
    expect(t.announcements).toHaveLength(0);

    goLive();
    expect(t.local.isSubscribed(socket, 'r1')).toBe(true);
    expect(socket.data.rooms.has('r1')).toBe(true);
    expect(t.live.open.size).toBe(0);
    expect(t.announcements).toEqual([{ roomId: 'r1', event: 'join', user: alice, members: [alice] }]);
  });

  it('replays the live messages held during the join that the answer lacks, once each and in seq order', async () => {
    const t = build({ untilSeq: 5, stored: 5 });
    const { socket, emitted } = aSocket(alice);
    // Live traffic while history is read (5 is in the answer; 6 arrives twice after a refetch)...
    t.store.beforeAnswer = () => t.live.deliver(aMessage(7), aMessage(5), aMessage(6), aMessage(6));
    const { answer, goLive } = await t.sut.join(socket, { roomId: 'r1' });
    // ...and between the answer and going live; another room's message is not held for this join.
    t.live.deliver(aMessage(8), aMessage(9, 'r2'));
    expect(emitted).toHaveLength(0);

    goLive();
    expect(answer.messages.at(-1)?.seq).toBe(5);
    expect(emitted.map((m) => m.seq)).toEqual([6, 7, 8]);
    expect(emitted.every((m) => m.roomId === 'r1')).toBe(true);
    expect(t.live.state.ended).toHaveLength(1);
    t.live.deliver(aMessage(10));
    expect(emitted).toHaveLength(3);
  });

  it('announces nothing when the user was already in the room from another tab', async () => {
    const t = build();
    await t.presence.join('r1', 'gw-2|alice-other-tab', alice, 100);
    const { goLive } = await t.sut.join(aSocket(alice).socket, { roomId: 'r1' });
    goLive();
    expect(t.announcements).toHaveLength(0);
  });

  describe('when the join fails after presence admitted it (rollback)', () => {
    it.each([
      ['the store is down', 'down'],
      ['the store does not answer within the deadline', 'silent'],
    ] as const)('answers unavailable and leaves no trace of the join when %s', async (_case, failure) => {
      if (failure === 'silent') jest.useFakeTimers();
      const t = build();
      t.store.failure = failure;
      const { socket, emitted } = aSocket(alice);
      const outcome = t.sut.join(socket, { roomId: 'r1' }).catch((e: unknown) => e);
      if (failure === 'silent') await jest.advanceTimersByTimeAsync(3_000);
      const error = await outcome;

      expect(error).toBeInstanceOf(ChatError);
      expect(error).toMatchObject({ code: 'unavailable' });
      expect(t.live.state.ended).toHaveLength(1);
      expect(t.live.open.size).toBe(0);
      expect(t.entries('r1').has(t.entryOf(socket))).toBe(false);
      expect(t.local.isSubscribed(socket, 'r1')).toBe(false);
      expect(socket.data.rooms.has('r1')).toBe(false);
      expect(t.announcements).toHaveLength(0);
      expect(emitted).toHaveLength(0);
    });

    it('answers unavailable and removes the entry when history is still catching up', async () => {
      const t = build();
      t.persister.behind = true;
      const { socket } = aSocket(alice);
      await expect(t.sut.join(socket, { roomId: 'r1' })).rejects.toMatchObject({ code: 'unavailable', retryAfterMs: 1000 });
      expect(t.store.reads).toHaveLength(0);
      expect(t.live.open.size).toBe(0);
      expect(t.entries('r1').has(t.entryOf(socket))).toBe(false);
      expect(t.local.isSubscribed(socket, 'r1')).toBe(false);
    });

    it('keeps a socket that was already in the room subscribed, with its presence entry, when its re-join fails', async () => {
      const t = build();
      const { socket } = aSocket(alice);
      (await t.sut.join(socket, { roomId: 'r1' })).goLive();
      expect(t.local.isSubscribed(socket, 'r1')).toBe(true);

      t.store.failure = 'down';
      await expect(t.sut.join(socket, { roomId: 'r1' })).rejects.toMatchObject({ code: 'unavailable' });
      expect(t.local.isSubscribed(socket, 'r1')).toBe(true);
      expect(socket.data.rooms.has('r1')).toBe(true);
      expect(t.entries('r1').has(t.entryOf(socket))).toBe(true);
      expect(t.live.open.size).toBe(0);
    });

    it('sends a socket that stays in the room the messages that arrived during its failed re-join', async () => {
      const t = build({ untilSeq: 5 });
      const { socket, emitted } = aSocket(alice);
      (await t.sut.join(socket, { roomId: 'r1' })).goLive();

      // While the re-join reads history the socket is not subscribed: 6 and 7 are only held for it.
      t.store.failure = 'down';
      t.store.beforeAnswer = () => t.live.deliver(aMessage(7), aMessage(6), aMessage(6));
      await expect(t.sut.join(socket, { roomId: 'r1' })).rejects.toMatchObject({ code: 'unavailable' });
      expect(emitted.map((m) => m.seq)).toEqual([6, 7]);
      expect(t.local.isSubscribed(socket, 'r1')).toBe(true);
    });
  });
});

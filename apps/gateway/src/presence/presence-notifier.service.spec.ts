import type { AppConfig } from '@app/config';
import type { PresenceEvent, User } from '@app/contracts';
import type { ReplicaBus, RoomPresence } from '@app/redis';
import type { LocalSockets } from '../socket/local-sockets';
import { PresenceNotifier } from './presence-notifier.service';

const a: User = { id: 'a', username: 'ann' };
const b: User = { id: 'b', username: 'bob' };

/** PresenceNotifier over stub sockets, bus and Redis presence: records what the room's sockets are told. */
function build() {
  const told: string[] = [];
  let notice: ((n: { roomId: string; event: PresenceEvent; user: User; members: User[] }) => void) | undefined;
  let read: () => Promise<User[]> = async () => [];
  const sockets = {
    roomIds: () => ['r'],
    toRoom: (_roomId: string, _event: string, p: { event: PresenceEvent; user: User; members: User[] }) => told.push(`${p.event} ${p.user.id} [${p.members.map((m) => m.id).join(',')}]`),
  } as unknown as LocalSockets;
  const bus = { on: (_kind: string, handler: typeof notice) => (notice = handler), publish: async () => undefined } as unknown as ReplicaBus;
  const presence = { membersOf: async () => new Map([['r', await read()]]) } as unknown as RoomPresence;
  const sut = new PresenceNotifier(sockets, bus, presence, { chat: { presenceTtlSeconds: 10 } } as AppConfig);
  sut.onApplicationBootstrap();
  sut.onApplicationShutdown(); // the test runs the sweeps itself
  return {
    told,
    notice: (event: PresenceEvent, user: User, members: User[]) => notice!({ roomId: 'r', event, user, members }),
    sweep: () => (sut as unknown as { findVanished(): Promise<void> }).findVanished(),
    members: (next: () => Promise<User[]>) => (read = next),
  };
}

describe('PresenceNotifier (stub sockets, bus and Redis)', () => {
  it('tells users who vanished without a notice (their replica crashed)', async () => {
    const { told, notice, sweep, members } = build();
    notice('join', b, [a, b]);
    members(async () => [a]);
    await sweep();
    expect(told).toEqual(['join b [a,b]', 'leave b [a]']);
  });

  it('tells a leave once when a sweep sees it before its notice arrives, and the next leave again after a join', async () => {
    const { told, notice, sweep, members } = build();
    notice('join', b, [a, b]);
    members(async () => [a]);
    await sweep(); // b left; its notice is still on its way
    notice('leave', b, [a]);
    notice('join', b, [a, b]);
    notice('leave', b, [a]);
    expect(told).toEqual(['join b [a,b]', 'leave b [a]', 'join b [a,b]', 'leave b [a]']);
  });

  it('drops a sweep\'s read that is older than a notice that arrived while it ran', async () => {
    const { told, notice, sweep, members } = build();
    notice('join', b, [a, b]);
    let answer: (users: User[]) => void = () => undefined;
    members(() => new Promise((resolve) => (answer = resolve)));
    const running = sweep(); // reads while b is still in the room
    notice('leave', b, [a]);
    answer([a, b]);
    await running;
    members(async () => [a]);
    await sweep();
    expect(told).toEqual(['join b [a,b]', 'leave b [a]']);
  });
});

import { Injectable } from '@nestjs/common';
import { banSchema, ChatError, parseInput, type Room, type RoomStats, type User } from '@app/contracts';
import { RoomsRepository } from '@app/mongo';
import { ReplicaBus, ReplicaRegistry, RoomPresence, UserBans, type ClientSession, type ReplicaRecord } from '@app/redis';
import { callDependency } from '@app/resilience';
import { RoomViews } from '@app/rooms';

export interface AdminClient {
  user: User;
  sessions: Omit<ClientSession, 'user'>[];
}

/** The admin's view of the running system and the two actions it can take. */
@Injectable()
export class AdminViews {
  constructor(
    private readonly registry: ReplicaRegistry,
    private readonly views: RoomViews,
    private readonly roomStore: RoomsRepository,
    private readonly presence: RoomPresence,
    private readonly bus: ReplicaBus,
    private readonly bans: UserBans,
  ) {}

  async servers(): Promise<ReplicaRecord[]> {
    return (await callDependency('redis', () => this.registry.replicas())).sort((a, b) => a.instance.localeCompare(b.instance));
  }

  /** Connected users, each with all their sessions (tabs) on all replicas. */
  async clients(): Promise<AdminClient[]> {
    const byUser = new Map<string, AdminClient>();
    for (const { user, ...session } of await callDependency('redis', () => this.registry.sessions())) {
      const client = byUser.get(user.id) ?? { user, sessions: [] };
      client.sessions.push(session);
      byUser.set(user.id, client);
    }
    return [...byUser.values()].sort((a, b) => a.user.username.localeCompare(b.user.username));
  }

  async client(userId: string): Promise<AdminClient> {
    const client = (await this.clients()).find((c) => c.user.id === userId);
    if (!client) throw new ChatError('not_found', `no connected client ${userId}`);
    return client;
  }

  rooms(): Promise<Room[]> {
    return this.views.list();
  }

  async room(roomId: string): Promise<Room & RoomStats & { members: User[] }> {
    const room = await this.views.withStats(roomId);
    return { ...room, members: await callDependency('redis', () => this.presence.members(roomId)) };
  }

  /** Removes the room; every replica removes its members and tells them `room:deleted`. */
  async deleteRoom(roomId: string): Promise<void> {
    if (!(await callDependency('mongo', () => this.roomStore.delete(roomId)))) throw new ChatError('not_found', `room ${roomId} does not exist`);
    await this.bus.publish({ kind: 'room-deleted', roomId });
  }

  /** Bans a user (connected or not) for `seconds` and disconnects their sockets everywhere. */
  async ban(userId: string, body: unknown): Promise<{ ban: { userId: string; until: string } }> {
    const { seconds } = parseInput(banSchema, body);
    const until = await callDependency('redis', () => this.bans.ban(userId, seconds));
    await this.bus.publish({ kind: 'user-kicked', userId });
    return { ban: { userId, until: until.toISOString() } };
  }

  async unban(userId: string): Promise<void> {
    if (!(await callDependency('redis', () => this.bans.lift(userId)))) throw new ChatError('not_found', `${userId} is not banned`);
  }

  /** Disconnects every socket of the user on every replica. */
  async kick(userId: string): Promise<{ sessions: number }> {
    const client = await this.client(userId);
    await this.bus.publish({ kind: 'user-kicked', userId });
    return { sessions: client.sessions.length };
  }
}

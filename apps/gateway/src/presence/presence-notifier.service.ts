import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { PresenceEvent, User } from '@app/contracts';
import { ReplicaBus, RoomPresence } from '@app/redis';
import { LocalSockets } from '../socket/local-sockets';

/**
 * Delivers presence changes to this replica's sockets. Joins, leaves and renames are announced
 * on the bus by the replica where they happen. A replica that crashed announces nothing, so every
 * replica also compares, on a timer, the members of the rooms its sockets are in with the last
 * list it saw, and tells its own sockets about users who vanished (their entries expired).
 *
 * The two paths race: a sweep can see a leave before its notice arrives on the bus, and a sweep's
 * read can be older than a notice that arrived while it was under way. So a leave a sweep told is
 * not told again by its notice, and a sweep's answer for a room that had a notice meanwhile is
 * dropped (the next sweep reads again).
 */
@Injectable()
export class PresenceNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceNotifier.name);
  /** What this replica last knew of each room its sockets are in (dropped when none is). */
  private readonly rooms = new Map<string, RoomView>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sockets: LocalSockets,
    private readonly bus: ReplicaBus,
    private readonly presence: RoomPresence,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.on('presence', ({ roomId, event, user, members }) => this.emit(roomId, event, user, members));
    const everyMs = Math.max(1000, (this.config.chat.presenceTtlSeconds * 1000) / 3);
    this.timer = setInterval(() => void this.findVanished(), everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async announce(roomId: string, event: PresenceEvent, user: User, members: User[]): Promise<void> {
    await this.bus.publish({ kind: 'presence', roomId, event, user, members });
  }

  private emit(roomId: string, event: PresenceEvent, user: User, members: User[]): void {
    const view = this.view(roomId);
    view.notices++;
    view.members = members;
    // A leave a sweep already told; a join makes the user's next leave news again.
    if (view.swept.delete(user.id) && event === 'leave') return;
    this.sockets.toRoom(roomId, 'presence', { roomId, event, user, members });
  }

  private view(roomId: string): RoomView {
    let view = this.rooms.get(roomId);
    if (!view) this.rooms.set(roomId, (view = { members: undefined, notices: 0, swept: new Set() }));
    return view;
  }

  private async findVanished(): Promise<void> {
    const rooms = this.sockets.roomIds();
    const here = new Set(rooms);
    for (const roomId of this.rooms.keys()) if (!here.has(roomId)) this.rooms.delete(roomId);
    if (rooms.length === 0) return;
    const noticesBefore = new Map(rooms.map((roomId) => [roomId, this.view(roomId).notices]));
    try {
      const now = await this.presence.membersOf(rooms);
      for (const [roomId, members] of now) {
        const view = this.view(roomId);
        if (view.notices !== noticesBefore.get(roomId)) continue; // older than a notice
        const before = view.members;
        view.members = members;
        if (!before) continue;
        const present = new Set(members.map((m) => m.id));
        for (const gone of before.filter((u) => !present.has(u.id))) {
          this.sockets.toRoom(roomId, 'presence', { roomId, event: 'leave', user: gone, members });
          view.swept.add(gone.id);
        }
      }
    } catch (error) {
      this.logger.warn(`presence sweep failed: ${(error as Error).message}`);
    }
  }
}

interface RoomView {
  /** The members last seen, by a notice or a sweep (undefined: none yet). */
  members: User[] | undefined;
  /** Bus notices handled so far: a sweep's read is stale if this moved while it ran. */
  notices: number;
  /** Users a sweep told as gone whose own leave notice has not come (it may never: a crash). */
  swept: Set<string>;
}

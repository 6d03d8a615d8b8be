import type { User } from '@app/contracts';

/** PROTOCOL.md: a typing indicator expires by itself 5 s after its last refresh. */
export const TYPING_EXPIRY_MS = 5_000;

/** Who is typing in which room, as the `typing` events tell, each entry dropped 5 s after its last refresh. */
export class TypingRoster {
  private readonly rooms = new Map<string, Map<string, { user: User; until: number }>>();

  update(roomId: string, user: User, typing: boolean, now: number): void {
    const room = this.rooms.get(roomId) ?? new Map<string, { user: User; until: number }>();
    if (typing) room.set(user.id, { user, until: now + TYPING_EXPIRY_MS });
    else room.delete(user.id);
    this.rooms.set(roomId, room);
  }

  /** The users typing in a room now, but `selfId`. */
  typing(roomId: string, selfId: string | undefined, now: number): User[] {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    for (const [id, entry] of room) if (entry.until <= now) room.delete(id);
    return [...room.values()].filter((e) => e.user.id !== selfId).map((e) => e.user);
  }
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…", or "". */
export function typingLine(users: User[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]!.username} is typing…`;
  if (users.length === 2) return `${users[0]!.username} and ${users[1]!.username} are typing…`;
  return `${users.length} people are typing…`;
}

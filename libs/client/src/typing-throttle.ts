/** How often an unchanged `typing: true` is sent again: the server lets an indicator expire 5 s after the last one. */
export const TYPING_REFRESH_MS = 1_000;

/**
 * Decides which `typing` calls go to the server, so a UI can call `typing(roomId, true)` on every
 * keystroke: a change goes out at once, an unchanged `true` at most once per TYPING_REFRESH_MS per
 * room (the server's own relay throttle has the same period and its typing budget is per user),
 * and `false` only after a `true`.
 */
export class TypingThrottle {
  private readonly last = new Map<string, { typing: boolean; at: number }>();

  constructor(private readonly refreshMs = TYPING_REFRESH_MS) {}

  admit(roomId: string, typing: boolean, now: number): boolean {
    const previous = this.last.get(roomId) ?? { typing: false, at: -Infinity };
    if (previous.typing === typing && (!typing || now - previous.at < this.refreshMs)) return false;
    this.last.set(roomId, { typing, at: now });
    return true;
  }

  /** A new connection knows nothing of this client's indicators; a left room has none. */
  forget(roomId?: string): void {
    if (roomId === undefined) this.last.clear();
    else this.last.delete(roomId);
  }
}

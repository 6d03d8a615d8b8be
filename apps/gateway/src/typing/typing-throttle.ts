/** A refresh of an unchanged state is relayed at most this often. */
const REFRESH_EVERY_MS = 1_000;
/** Changes of state (start/stop) are relayed at most this often. */
const CHANGE_EVERY_MS = 250;

/**
 * Keeps typing relays to a few per second per user and room however fast a client sends:
 * a change (typing ↔ not typing) passes at most every 250 ms, a refresh at most every second.
 */
export class TypingThrottle {
  private readonly last = new Map<string, { typing: boolean; at: number }>();

  admit(key: string, typing: boolean, now: number): boolean {
    const prev = this.last.get(key);
    const wait = prev && prev.typing === typing ? REFRESH_EVERY_MS : CHANGE_EVERY_MS;
    if (prev && now - prev.at < wait) return false;
    this.last.set(key, { typing, at: now });
    if (this.last.size > 50_000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [key, v] of this.last) if (now - v.at > 10_000) this.last.delete(key);
  }
}

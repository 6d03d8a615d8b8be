export type RoomCounts = Map<string, { count: number; lastAt: Date }>;

/**
 * Room statistics (messageCount, lastActivityAt) gathered from many written batches and stored
 * once per interval, as one bulk update. A room update costs the store about as much as inserting
 * twenty messages (FerretDB: ~1 ms of CPU each), and writing them per batch made them the largest
 * part of the store's work. The counts are statistics, not history: a crash loses at most one
 * interval of them (as a crash between insert and count always could), never a message.
 */
export class RoomStats {
  private pending: RoomCounts = new Map();

  constructor(private readonly store: (counts: RoomCounts) => Promise<void>) {}

  get pendingRooms(): number {
    return this.pending.size;
  }

  add(counts: RoomCounts): void {
    for (const [roomId, { count, lastAt }] of counts) {
      const entry = this.pending.get(roomId);
      if (!entry) this.pending.set(roomId, { count, lastAt });
      else {
        entry.count += count;
        if (lastAt > entry.lastAt) entry.lastAt = lastAt;
      }
    }
  }

  /** Stores what was gathered; on failure it is kept (merged with what came meanwhile) for the next flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const taken = this.pending;
    this.pending = new Map();
    try {
      await this.store(taken);
    } catch (error) {
      this.add(taken);
      throw error;
    }
  }
}

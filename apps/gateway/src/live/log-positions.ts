interface Waiter {
  readonly offset: bigint;
  readonly resolve: (reached: boolean) => void;
}

/**
 * How far this replica's live stream has read each partition of the chat topic (the last offset
 * handled, -1 when none), and who is waiting for it to get somewhere: a send is answered only
 * once the stream has read its record, because only then is it known whether the record is the
 * first of its send (RetryWindow).
 */
export class LogPositions {
  private readonly handled = new Map<number, bigint>();
  private readonly waiters = new Map<number, Waiter[]>();

  get(partition: number): bigint {
    return this.handled.get(partition) ?? -1n;
  }

  set(partition: number, offset: bigint): void {
    this.handled.set(partition, offset);
  }

  get partitions(): number {
    return this.handled.size;
  }

  /**
   * Resolves true once `offset` of `partition` is handled, false if that takes longer than
   * `timeoutMs` (no deadline when it is omitted).
   */
  reached(partition: number, offset: bigint, timeoutMs?: number): Promise<boolean> {
    if (this.get(partition) >= offset) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.drop(partition, waiter);
              resolve(false);
            }, timeoutMs);
      const waiter: Waiter = {
        offset,
        resolve: (reached) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      let list = this.waiters.get(partition);
      if (!list) this.waiters.set(partition, (list = []));
      list.push(waiter);
    });
  }

  /** Wakes the waiters of a partition whose offset is now handled (called after each batch). */
  release(partition: number): void {
    const list = this.waiters.get(partition);
    if (!list) return;
    const handled = this.get(partition);
    const waiting = list.filter((w) => w.offset > handled);
    for (const w of list) if (w.offset <= handled) w.resolve(true);
    if (waiting.length > 0) this.waiters.set(partition, waiting);
    else this.waiters.delete(partition);
  }

  private drop(partition: number, waiter: Waiter): void {
    const list = this.waiters.get(partition);
    if (!list) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length > 0) this.waiters.set(partition, rest);
    else this.waiters.delete(partition);
  }
}

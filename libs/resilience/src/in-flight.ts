/**
 * One call per key at a time, shared by whoever arrives meanwhile: callers that find a call under
 * way for their key wait for it (`settled`) and look again at what it produced, instead of making
 * the same store read once each (a thundering herd of joins or page readers of one room).
 * Both methods decide synchronously, so a caller that finds nothing under way and starts its own
 * call cannot be overtaken by another caller doing the same.
 */
export class InFlight {
  private readonly running = new Map<string, Promise<void>>();

  /** The call under way for `key` (settling when it does, failure or not), or undefined when there is none. */
  underWay(key: string): Promise<void> | undefined {
    return this.running.get(key)?.catch(() => undefined);
  }

  /** Runs `call` as the one for `key` while it lasts. */
  async run(key: string, call: () => Promise<void>): Promise<void> {
    const promise = call();
    this.running.set(key, promise);
    try {
      await promise;
    } finally {
      if (this.running.get(key) === promise) this.running.delete(key);
    }
  }
}

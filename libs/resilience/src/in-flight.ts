/**
 * One call per key at a time, shared by whoever arrives meanwhile: callers that find a call under
 * way for their key wait for it (`underWay`) and look again at what it produced, or take its answer
 * (`share`), instead of making the same store read once each (a thundering herd of joins or page
 * readers of one room). Every method decides synchronously, so a caller that finds nothing under
 * way and starts its own call cannot be overtaken by another caller doing the same.
 */
export class InFlight {
  private readonly running = new Map<string, Promise<unknown>>();

  /** The call under way for `key` (settling when it does, failure or not), or undefined when there is none. */
  underWay(key: string): Promise<void> | undefined {
    return this.running.get(key)?.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Runs `call` as the one for `key` while it lasts. */
  async run(key: string, call: () => Promise<void>): Promise<void> {
    await this.start(key, call);
  }

  /**
   * The answer of the call under way for `key`, or of `call` started as it when there is none:
   * concurrent callers share one call and its answer (or its failure).
   */
  share<T>(key: string, call: () => Promise<T>): Promise<T> {
    return (this.running.get(key) as Promise<T> | undefined) ?? this.start(key, call);
  }

  private start<T>(key: string, call: () => Promise<T>): Promise<T> {
    const promise = call().finally(() => {
      if (this.running.get(key) === promise) this.running.delete(key);
    });
    this.running.set(key, promise);
    return promise;
  }
}

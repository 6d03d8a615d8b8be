/**
 * A minimal event emitter typed by a map of event name → payload, the same in Node and browsers
 * (Node's EventEmitter is not in browsers; EventTarget has no payload types).
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  /**
   * Calls each listener. One that throws must not stop the others, nor the SDK's own bookkeeping
   * that emitted (a room feed half-way through a page): its error is rethrown on a later tick, as a
   * browser reports an exception in a DOM event listener and carries on.
   */
  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }
}

import type { ClientEventName, Session } from '@app/contracts';
import { ChatClientError, isErrorCode } from './errors';
import type { ConnectionState, StateChange } from './connection-state';
import type { ChatTransport, EventAnswer, EventPayload } from './transport';

/** The outcome of one acknowledged call: the answer, no answer in time, or the connection dropped first. */
export type CallOutcome<E extends ClientEventName> =
  | { kind: 'answer'; answer: EventAnswer<E> }
  | { kind: 'silence' }
  | { kind: 'cut' };

/**
 * The one owner of the socket: its state, the session of each connection, and single
 * acknowledged calls. Each connection gets an `epoch`; work started for one connection (a re-join,
 * a catch-up) checks it after every wait, so nothing done for a dead connection is applied to the
 * next one.
 */
export class Connection {
  private current: ConnectionState = 'connecting';
  private sessionOf: Session | undefined;
  private lastError: ChatClientError | undefined;
  private epochNumber = 0;
  private hasSession = false;
  private readonly cutListeners = new Set<() => void>();
  private readonly changeWaiters = new Set<() => void>();

  constructor(
    private readonly transport: ChatTransport,
    private readonly onState: (change: StateChange) => void,
    private readonly onSession: (session: Session, epoch: number) => void,
  ) {
    transport.on('session', (session) => {
      this.epochNumber++;
      this.hasSession = true;
      this.sessionOf = session;
      this.lastError = undefined;
      this.onSession(session, this.epochNumber);
      // Waiters for "connected" wake even when the state name did not change.
      this.notify();
    });
    transport.on('disconnect', ({ reason, willReconnect }) => {
      this.epochNumber++;
      this.hasSession = false;
      for (const cut of [...this.cutListeners]) cut();
      if (this.current === 'closed') return;
      if (willReconnect) this.set('reconnecting');
      else this.close(new ChatClientError('closed', `disconnected by the server (${reason})`));
    });
    transport.on('connect_error', ({ message, willRetry }) => {
      // A refusal at the handshake keeps its code (`unauthorized`, `forbidden`): it is why the client closed.
      const error = new ChatClientError(isErrorCode(message) ? message : 'unavailable', `connection failed: ${message}`);
      if (willRetry) {
        this.lastError = error;
        this.notify();
      } else this.close(error);
    });
  }

  open(): void {
    this.transport.open();
  }

  get state(): ConnectionState {
    return this.current;
  }

  get session(): Session | undefined {
    return this.sessionOf;
  }

  /**
   * The epoch of the connection when it is up and has its session (a new one at each `session`,
   * and each disconnect ends it), otherwise undefined.
   */
  get epoch(): number | undefined {
    return this.hasSession && this.transport.connected && this.current !== 'closed' ? this.epochNumber : undefined;
  }

  /** The connection of `epoch` is still the one up (no disconnect since). */
  isCurrent(epoch: number): boolean {
    return this.epoch === epoch;
  }

  get closedError(): ChatClientError | undefined {
    return this.current === 'closed' ? this.lastError : undefined;
  }

  get connectError(): ChatClientError | undefined {
    return this.lastError;
  }

  /** Called by the client once it knows whether every room is caught up. */
  set(state: Exclude<ConnectionState, 'closed'>): void {
    if (this.current === 'closed' || this.current === state) return;
    this.current = state;
    this.onState({ state, session: this.sessionOf });
    this.notify();
  }

  close(error: ChatClientError): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.lastError = error;
    this.transport.close();
    this.onState({ state: 'closed', session: this.sessionOf, error });
    this.notify();
  }

  /**
   * Emits once and waits for the answer, at most `timeoutMs`. `cut` when the connection is down
   * or drops first: socket.io-client never calls an ack of a connection that is gone.
   */
  call<E extends ClientEventName>(event: E, payload: EventPayload<E>, timeoutMs: number): Promise<CallOutcome<E>> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: CallOutcome<E>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.cutListeners.delete(cut);
        resolve(outcome);
      };
      const cut = () => done({ kind: 'cut' });
      const timer = setTimeout(() => done({ kind: 'silence' }), timeoutMs);
      this.cutListeners.add(cut);
      if (this.current === 'closed' || !this.transport.emit(event, payload, (answer) => done({ kind: 'answer', answer }))) cut();
    });
  }

  /** Something a waiter may be waiting for changed: the state, a room's readiness. */
  notify(): void {
    const waiters = [...this.changeWaiters];
    this.changeWaiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Waits until `ready()` returns a value, re-checking after every change; fails with what
   * `failure()` returns (checked first, e.g. closed or the room gone) or `timeout` at the deadline.
   */
  async until<T>(ready: () => T | undefined, failure: () => ChatClientError | undefined, deadline: number, what: string): Promise<T> {
    for (;;) {
      const failed = failure();
      if (failed) throw failed;
      const value = ready();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new ChatClientError('timeout', `${what}: not possible before the deadline (${this.current})`, this.lastError ? { cause: this.lastError } : {});
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.changeWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.changeWaiters.add(wake);
      });
    }
  }
}

import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from '@app/contracts';

/** The payload of a client event, and the answer its acknowledgement receives. */
export type EventPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
export type EventAnswer<E extends ClientEventName> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];

/** The server's events (PROTOCOL.md) and the connection's own, as the SDK sees them. */
export type TransportEvents = {
  [E in keyof ServerToClientEvents]: Parameters<ServerToClientEvents[E]>[0];
} & {
  /** The connection is up (a `session` follows). */
  connect: undefined;
  /** The connection is down; `willReconnect` is false after a server-side disconnect or close(). */
  disconnect: { reason: string; willReconnect: boolean };
  /** A connection attempt failed; `willRetry` is false when the server refused the handshake. */
  connect_error: { message: string; willRetry: boolean };
};

/**
 * What the SDK needs of a socket. socket.io-client provides it in production
 * (socketIoTransport); unit tests give a stub, so recovery can be driven step by step.
 */
export interface ChatTransport {
  readonly connected: boolean;
  /** Starts connecting (and, for socket.io-client, reconnecting with backoff after a loss). */
  open(): void;
  /** Disconnects for good. */
  close(): void;
  on<E extends keyof TransportEvents>(event: E, listener: (payload: TransportEvents[E]) => void): void;
  /**
   * Sends an event with an acknowledgement. Returns false, sending nothing, when not connected:
   * socket.io-client would otherwise buffer the packet and send it after a reconnect, before the
   * SDK has re-joined the room (a send would then be answered `forbidden`).
   */
  emit<E extends ClientEventName>(event: E, payload: EventPayload<E>, ack: (answer: EventAnswer<E>) => void): boolean;
}

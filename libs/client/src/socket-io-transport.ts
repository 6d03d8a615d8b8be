import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from '@app/contracts';
import { SERVER_EVENTS } from '@app/contracts';
import type { ChatTransport, EventAnswer, EventPayload, TransportEvents } from './transport';

/**
 * socket.io-client options passed through as they are. `localAddress` is not in its types but is
 * handed on to the WebSocket of Node's `ws` (engine.io-client picks it): tests and the load
 * generator bind clients to source addresses in different /24s so Nginx's ip_hash spreads them.
 */
export type SocketPassthrough = Partial<ManagerOptions & SocketOptions> & { localAddress?: string };

/** How socket.io-client waits between reconnection attempts (exponential, randomized). */
export interface ReconnectionOptions {
  /** First delay (socket.io-client's reconnectionDelay). Default 500 ms. */
  initialDelayMs?: number;
  /** Largest delay (reconnectionDelayMax). Default 5000 ms. */
  maxDelayMs?: number;
  /** 0..1, spread of each delay (randomizationFactor), so a replica's clients do not all come back at once. Default 0.5. */
  randomization?: number;
}

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The production transport: one socket.io-client socket to the chatstream address (Nginx). */
export function socketIoTransport(url: string, token: string, reconnection: ReconnectionOptions = {}, passthrough: SocketPassthrough = {}): ChatTransport {
  const socket: ChatSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: reconnection.initialDelayMs ?? 500,
    reconnectionDelayMax: reconnection.maxDelayMs ?? 5_000,
    randomizationFactor: reconnection.randomization ?? 0.5,
    ...passthrough,
    // The SDK opens the socket itself, once its listeners are in place.
    autoConnect: false,
    auth: { token },
  } as Partial<ManagerOptions & SocketOptions>);
  // Typed loosely once here: the maps above type every event, and the SDK's own types are TransportEvents.
  const raw = socket as unknown as {
    on(event: string, listener: (payload: unknown) => void): void;
    emit(event: string, payload: unknown, ack: (answer: unknown) => void): void;
  };

  return {
    get connected() {
      return socket.connected;
    },
    open: () => void socket.connect(),
    close: () => void socket.disconnect(),
    on<E extends keyof TransportEvents>(event: E, listener: (payload: TransportEvents[E]) => void): void {
      const deliver = listener as (payload: unknown) => void;
      switch (event) {
        case 'connect':
          socket.on('connect', () => deliver(undefined));
          return;
        // socket.active tells whether socket.io-client goes on trying: false after a server-side
        // disconnect (an admin kick), close(), or a handshake the server refused (unauthorized).
        // It stays true after a lost transport even with `reconnection: false` passed through,
        // when nothing will reconnect: the manager's setting decides that case.
        case 'disconnect':
          socket.on('disconnect', (reason) => deliver({ reason, willReconnect: socket.active && socket.io.reconnection() }));
          return;
        case 'connect_error':
          socket.on('connect_error', (error) => deliver({ message: error.message, willRetry: socket.active }));
          return;
        default:
          if ((SERVER_EVENTS as readonly string[]).includes(event)) raw.on(event, deliver);
      }
    },
    emit<E extends ClientEventName>(event: E, payload: EventPayload<E>, ack: (answer: EventAnswer<E>) => void): boolean {
      if (!socket.connected) return false;
      raw.emit(event, payload, ack as (answer: unknown) => void);
      return true;
    },
  };
}

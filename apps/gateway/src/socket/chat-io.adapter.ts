import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { isObservable } from 'rxjs';
import type { Server as EngineServer } from 'engine.io';
import type { ServerOptions } from 'socket.io';
import { ChatError, LIMITS } from '@app/contracts';
import { acknowledge } from './acknowledge';
import { useCorkedWebSockets } from './corked-websocket';

const logger = new Logger('ChatIoAdapter');

/** IoAdapter's own parameter types (it is built on its own copy of socket.io). */
type BindArgs = Parameters<IoAdapter['bindMessageHandlers']>;
type EventSocket = BindArgs[0];
type Handler = BindArgs[1][number];
type Callback = Handler['callback'];

/** Where a socket keeps Nest's handlers for it, in the order of the gateway's event table. */
const CALLBACKS = Symbol('chat.callbacks');
type DispatchingSocket = EventSocket & { [CALLBACKS]?: Callback[] };

/** What every socket of the gateway shares: which handler an event goes to. */
interface EventTable {
  index: ReadonlyMap<string, number>;
  ackHandledManually: readonly boolean[];
}

/**
 * Socket.IO server options for the gateway, and how a socket's events reach its handlers.
 * The frame limit sits above the protocol's text limit, so an oversized message is answered
 * `too_large` instead of the transport cutting the connection. Short ping times let clients of a
 * dead replica notice within seconds and reconnect elsewhere. WebSocket writes are corked per
 * flush (CorkedWebSocket).
 */
export class ChatIoAdapter extends IoAdapter {
  private table: EventTable | undefined;
  /** One listener shared by every socket (Socket.IO calls it with the socket as `this`). */
  private readonly dispatch: (this: DispatchingSocket, event: unknown, ...args: unknown[]) => void;

  constructor(app: INestApplicationContext) {
    super(app);
    const onEvent = this.onEvent.bind(this);
    this.dispatch = function (this: DispatchingSocket, event: unknown, ...args: unknown[]): void {
      onEvent(this, event, args);
    };
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: LIMITS.maxFrameBytes,
      pingInterval: 10_000,
      pingTimeout: 5_000,
      cors: { origin: true, credentials: true },
      transports: ['websocket', 'polling'],
      connectionStateRecovery: undefined,
    }) as { engine: EngineServer };
    useCorkedWebSockets(server.engine);
    return server;
  }

  /**
   * One shared catch-all listener per socket, instead of IoAdapter's rxjs pipeline per event and
   * socket (fromEvent, mergeMap, takeUntil a shared disconnect stream), or even a listener per event:
   * each of those is built for every handler on every connection, and an idle connection's memory
   * is what limits how many a gateway holds. The socket keeps only Nest's handlers for it (Nest
   * binds them to the socket). Same behaviour: a handler gets the payload and the ack; an answer it
   * returns (none here: every handler answers through `acknowledge`) is emitted or given to the ack;
   * an event with no handler is answered `bad_request` (PROTOCOL.md), never left unanswered.
   */
  override bindMessageHandlers(socket: EventSocket, handlers: BindArgs[1]): void {
    // Nest hands every socket the gateway's handlers in the same order (its metadata, read once).
    this.table ??= {
      index: new Map(handlers.map((h, i) => [h.message as string, i])),
      ackHandledManually: handlers.map((h) => h.isAckHandledManually === true),
    };
    (socket as DispatchingSocket)[CALLBACKS] = handlers.map((h) => h.callback);
    socket.onAny(this.dispatch);
  }

  private onEvent(socket: DispatchingSocket, event: unknown, args: unknown[]): void {
    const at = typeof event === 'string' ? this.table?.index.get(event) : undefined;
    const callback = at === undefined ? undefined : socket[CALLBACKS]?.[at];
    if (at === undefined || !callback) {
      void acknowledge(socket, args.at(-1), () => {
        throw new ChatError('bad_request', `unknown event ${String(event).slice(0, 64)}`);
      });
      return;
    }
    // What rxjs's fromEvent handed IoAdapter: the one argument itself, or all of them as an array.
    const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args) as { data: unknown; ack?: (answer: unknown) => void };
    const answer = (response: unknown) => {
      if (response === null || response === undefined) return;
      const named = (response as { event?: string; data?: unknown }).event;
      if (named) socket.emit(named, (response as { data?: unknown }).data);
      else if (!this.table?.ackHandledManually[at] && typeof ack === 'function') ack(response);
    };
    // Errors never reach here: Nest's handler wrapper turns them into its exception answer.
    void Promise.resolve(callback(data, ack)).then(
      (result: unknown) => {
        if (isObservable(result)) result.subscribe({ next: answer, error: (error: Error) => logger.warn(`${String(event)}: ${error.message}`) });
        else answer(result);
      },
      (error: Error) => logger.warn(`${String(event)}: ${error.message}`),
    );
  }
}

import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { isObservable } from 'rxjs';
import type { ServerOptions } from 'socket.io';
import { LIMITS } from '@app/contracts';

const logger = new Logger('ChatIoAdapter');

/** IoAdapter's own parameter types (it is built on its own copy of socket.io). */
type BindArgs = Parameters<IoAdapter['bindMessageHandlers']>;

/**
 * Socket.IO server options for the gateway. The frame limit sits above the protocol's text limit,
 * so an oversized message is answered `too_large` instead of the transport cutting the connection.
 * Short ping times let clients of a dead replica notice within seconds and reconnect elsewhere.
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    return super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: LIMITS.maxFrameBytes,
      pingInterval: 10_000,
      pingTimeout: 5_000,
      cors: { origin: true, credentials: true },
      transports: ['websocket', 'polling'],
      connectionStateRecovery: undefined,
    });
  }

  /**
   * One plain listener per event and socket, instead of IoAdapter's rxjs pipeline per event and
   * socket (fromEvent, mergeMap, takeUntil a shared disconnect stream): those chains are built for
   * every handler on every connection and cost memory per idle connection and CPU per event.
   * Same behaviour: the handler gets the payload and the ack; an answer it returns (none here: every
   * handler answers through `acknowledge`) is emitted or given to the ack; the listeners go with the
   * socket when it disconnects.
   */
  override bindMessageHandlers(socket: BindArgs[0], handlers: BindArgs[1]): void {
    // Nest's third argument only adapts a handler's result to a stream; results are read here directly.
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // What rxjs's fromEvent hands IoAdapter: the one argument itself, or all of them as an array.
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args) as { data: unknown; ack?: (answer: unknown) => void };
        const answer = (response: unknown) => {
          if (response === null || response === undefined) return;
          const event = (response as { event?: string; data?: unknown }).event;
          if (event) socket.emit(event, (response as { data?: unknown }).data);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };
        // Errors never reach here: Nest's handler wrapper turns them into its exception answer.
        void Promise.resolve(callback(data, ack)).then(
          (result: unknown) => {
            if (isObservable(result)) result.subscribe({ next: answer, error: (error: Error) => logger.warn(`${message}: ${error.message}`) });
            else answer(result);
          },
          (error: Error) => logger.warn(`${message}: ${error.message}`),
        );
      });
    }
  }
}

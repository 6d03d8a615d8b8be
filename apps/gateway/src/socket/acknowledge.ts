import { Logger } from '@nestjs/common';
import { ChatError, type ErrorBody } from '@app/contracts';

/** All `acknowledge` needs of a socket: a way to emit an error to it. */
interface ErrorTarget {
  emit(event: 'error', body: ErrorBody): unknown;
}

const logger = new Logger('Acknowledge');

type AckFn = (answer: unknown) => void;

/**
 * Runs one client event and answers it exactly once (PROTOCOL.md "Acknowledgements"):
 * `{ ok: true, ...result }` or `{ ok: false, error }` through the callback when the client gave
 * one, otherwise errors are emitted as `error` events. Nothing thrown escapes: a bad event never
 * crashes the process or drops the connection.
 */
export async function acknowledge<T extends object>(
  socket: ErrorTarget,
  ack: unknown,
  work: () => Promise<T> | T,
  afterAnswer?: (result: T) => void,
): Promise<void> {
  const callback = typeof ack === 'function' ? (ack as AckFn) : undefined;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    const body = toErrorBody(error);
    if (callback) callback({ ok: false, error: body });
    else socket.emit('error', body);
    return;
  }
  callback?.({ ok: true, ...result });
  // Runs in the same tick as the answer, so what it emits follows the ack on the wire.
  afterAnswer?.(result);
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ChatError) return error.toBody();
  logger.error(`unhandled error in an event handler: ${(error as Error)?.message}`, (error as Error)?.stack);
  return { code: 'internal', message: 'internal error' };
}

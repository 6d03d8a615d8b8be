import { Logger } from '@nestjs/common';
import { TaskCancelledError, timeout, TimeoutStrategy, type TimeoutPolicy } from 'cockatiel';
import { ChatError } from '@app/contracts';

export type Dependency = 'kafka' | 'mongo' | 'redis';

export interface DependencyCallOptions {
  /** How long the call may take before the caller gets `unavailable` (default 3 s). */
  timeoutMs?: number;
  /** The `retryAfterMs` the client is told (default 1 s). */
  retryAfterMs?: number;
  /** What the call does, for the log line ("reading the room"). */
  what?: string;
  /**
   * The operation itself answers within `timeoutMs` (ProduceBatcher: one timer for every record
   * instead of one per call here, on the path every message takes). Only failures are mapped.
   */
  limitedByOperation?: boolean;
}

export const DEPENDENCY_TIMEOUT_MS = 3_000;
const RETRY_AFTER_MS = 1_000;

const logger = new Logger('DependencyCall');
/**
 * Aggressive: the caller gets its answer at the deadline even if the operation ignores the signal.
 * The signal is aborted only at the deadline, not also when the call returns (cockatiel's default):
 * that abort builds a DOMException on every call, ~2.5 % of a gateway's CPU on the send path.
 */
const policies = new Map<number, TimeoutPolicy>();
/** The signal of a call whose operation keeps its own time limit: nothing here aborts it. */
const NEVER_ABORTED = new AbortController().signal;
const policyFor = (ms: number): TimeoutPolicy => {
  let policy = policies.get(ms);
  if (!policy) policies.set(ms, (policy = timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false })));
  return policy;
};

/**
 * The one way a request path calls MongoDB, Redis or Kafka: bounded in time, and any failure that
 * is not already a protocol error becomes `unavailable` with `retryAfterMs` (PROTOCOL.md: a
 * dependency is down, retry later), so a client always gets a coded answer instead of none or
 * `internal`. A ChatError thrown by the operation itself (not_found, room_full...) passes through.
 * The operation receives an AbortSignal that fires at the deadline, for clients that take one.
 */
export async function callDependency<T>(
  dependency: Dependency,
  op: (signal: AbortSignal) => Promise<T>,
  options: DependencyCallOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEPENDENCY_TIMEOUT_MS;
  try {
    if (options.limitedByOperation) return await op(NEVER_ABORTED);
    return await policyFor(timeoutMs).execute(({ signal }) => op(signal));
  } catch (error) {
    if (error instanceof ChatError) throw error;
    const reason = error instanceof TaskCancelledError ? `no answer within ${timeoutMs} ms` : (error as Error)?.message;
    logger.warn(`${dependency}${options.what ? ` (${options.what})` : ''}: ${reason}`);
    throw new ChatError('unavailable', `${dependency} is unavailable; retry later`, options.retryAfterMs ?? RETRY_AFTER_MS);
  }
}

import { ExponentialBackoff, type IBackoff } from 'cockatiel';

/** The part of a kafkajs consumer this needs (a stub in its unit test). */
export interface RestartableConsumer {
  readonly events: { readonly CRASH: string; readonly GROUP_JOIN: string };
  on(event: string, listener: (event: { payload: { restart?: boolean; error?: Error } }) => void): () => void;
  connect(): Promise<void>;
}

export interface ConsumerRestartOptions {
  /** Starts consuming again: `consumer.run(...)` with the options of the first run. */
  readonly run: () => Promise<void>;
  readonly log: (message: string) => void;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Keeps a kafkajs consumer consuming after a crash kafkajs gives up on.
 *
 * kafkajs restarts a crashed consumer only when it judges the error retriable. Some errors of a
 * broker going down or coming back are not: a coordinator lookup that reaches no broker throws
 * KafkaJSGroupCoordinatorNotFound (kafkajs issues #1445 and #1630, open), and so does one that
 * outlasts a coordinator still loading. An error thrown by the batch handler is not retriable
 * either. After such a crash the consumer stays disconnected for good while the process carries
 * on: a gateway's live stream stops, so every send there is answered `unavailable` until the
 * process is restarted; a persister stores nothing more. Measured: restarting the broker under
 * 500 sends/s left two of three gateways in that state.
 *
 * So on a crash without a restart, this connects and runs the consumer again, with backoff,
 * until it joins its group. It rejoins the same group, so it resumes from the committed
 * offsets: nothing is skipped, and what is read again is what a rebalance would re-read.
 * Returns a function that stops restarting (at shutdown, before the consumer is disconnected).
 */
export function restartAfterCrashes(consumer: RestartableConsumer, options: ConsumerRestartOptions): () => void {
  const backoffs = new ExponentialBackoff({ initialDelay: options.firstDelayMs ?? 1_000, maxDelay: options.maxDelayMs ?? 10_000 });
  let backoff: IBackoff<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = (reason: string) => {
    if (stopped || timer) return;
    backoff = backoff ? backoff.next(undefined) : backoffs.next();
    const delayMs = Math.round(backoff.duration);
    options.log(`the consumer stopped (${reason}); starting it again in ${delayMs} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      // kafkajs has disconnected the consumer before reporting the crash. A join that fails again
      // is reported as another crash, and is scheduled from there.
      consumer
        .connect()
        .then(() => (stopped ? undefined : options.run()))
        .catch((error: Error) => schedule(error.message));
    }, delayMs);
  };

  const offCrash = consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart === true) return; // kafkajs restarts it itself
    schedule(payload.error?.message ?? 'crash');
  });
  const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => (backoff = undefined));

  return () => {
    stopped = true;
    clearTimeout(timer);
    timer = undefined;
    offCrash();
    offJoin();
  };
}

import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/** Longer than a normal drain (a batch in flight, a leave-group), shorter than the stop grace period. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * The signals that shut an app down cleanly. Named, because Nest's default is every signal it
 * knows, SIGUSR2 included: a heap snapshot taken with `--heapsnapshot-signal=SIGUSR2` also
 * stopped the process (docs/benchmarks.md). Supervisors and `docker stop` send SIGTERM, a terminal
 * SIGINT or SIGHUP.
 */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * The start-up every app shares: structured logs, shutdown hooks (each of SHUTDOWN_SIGNALS runs
 * onModuleDestroy then onApplicationShutdown), and a clear exit when start-up fails.
 */
export async function startApp(
  name: string,
  create: () => Promise<INestApplication>,
  listen: (app: INestApplication) => Promise<void>,
): Promise<INestApplication | undefined> {
  try {
    const app = await create();
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks([...SHUTDOWN_SIGNALS]);
    // A clean shutdown waits for Kafka and the store; if they are gone it could wait forever.
    for (const signal of SHUTDOWN_SIGNALS) {
      process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref());
    }
    await listen(app);
    return app;
  } catch (error) {
    // Written straight to stderr: with bufferLogs the Nest logger may never flush when start-up
    // fails before useLogger, and this line is the only trace of why the process stopped.
    const { message, stack } = error as Error;
    process.stderr.write(`${JSON.stringify({ level: 60, time: new Date().toISOString(), app: name, msg: `start-up failed: ${message}`, stack })}\n`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100);
    return undefined;
  }
}

import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { SHUTDOWN_SIGNALS, startApp } from './bootstrap';

@Module({ imports: [LoggerModule.forRoot({ pinoHttp: { level: 'silent' } })] })
class EmptyModule {}

const WATCHED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2', 'SIGQUIT'] as const;

type Listener = (...args: unknown[]) => void;

function listeners(): Map<string, Listener[]> {
  return new Map(WATCHED.map((signal) => [signal, [...(process.listeners(signal) as Listener[])]]));
}

describe('startApp', () => {
  let app: INestApplication | undefined;
  let before: Map<string, Listener[]>;

  beforeEach(() => {
    before = listeners();
  });

  afterEach(async () => {
    await app?.close();
    // startApp's shutdown deadlines are process.once listeners that outlive the app.
    for (const signal of WATCHED) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.includes(listener as Listener)) process.removeListener(signal, listener);
      }
    }
  });

  it('shuts down on SIGTERM, SIGINT and SIGHUP only, leaving SIGUSR2 to diagnostics such as --heapsnapshot-signal', async () => {
    app = await startApp('test', () => NestFactory.create(EmptyModule, { logger: false }), () => Promise.resolve());
    expect(app).toBeDefined();
    const added = (signal: string): number => process.listenerCount(signal) - before.get(signal)!.length;
    for (const signal of SHUTDOWN_SIGNALS) expect(added(signal)).toBeGreaterThan(0);
    expect(added('SIGUSR2')).toBe(0);
    expect(added('SIGQUIT')).toBe(0);
  });
});

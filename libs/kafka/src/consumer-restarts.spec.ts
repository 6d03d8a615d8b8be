import { EventEmitter } from 'node:events';
import { restartAfterCrashes, type RestartableConsumer } from './consumer-restarts';

/** A stub consumer (no broker): records connects and runs; the test emits kafkajs's events. */
function stubConsumer(connectFailures = 0) {
  const emitter = new EventEmitter();
  const calls: string[] = [];
  let failures = connectFailures;
  const consumer: RestartableConsumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: (event, listener) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    connect: async () => {
      calls.push('connect');
      if (failures > 0) {
        failures -= 1;
        throw new Error('connect ECONNREFUSED');
      }
    },
  };
  const crash = (restart: boolean) => emitter.emit('consumer.crash', { payload: { restart, error: new Error('Failed to find group coordinator') } });
  const join = () => emitter.emit('consumer.group_join', { payload: {} });
  return { consumer, calls, crash, join };
}

describe('restartAfterCrashes (stub consumer)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const start = (stub: ReturnType<typeof stubConsumer>) => {
    const logs: string[] = [];
    const stop = restartAfterCrashes(stub.consumer, {
      run: async () => void stub.calls.push('run'),
      log: (m) => logs.push(m),
      firstDelayMs: 100,
      maxDelayMs: 1_000,
    });
    return { stop, logs };
  };

  it('connects and runs the consumer again after a crash kafkajs does not restart', async () => {
    const stub = stubConsumer();
    const { logs } = start(stub);
    stub.crash(false);
    expect(stub.calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(stub.calls).toEqual(['connect', 'run']);
    expect(logs[0]).toMatch(/Failed to find group coordinator/);
  });

  it('leaves a crash that kafkajs restarts itself to kafkajs', async () => {
    const stub = stubConsumer();
    start(stub);
    stub.crash(true);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(stub.calls).toEqual([]);
  });

  it('keeps trying, with growing waits bounded by the maximum, while the broker refuses connections', async () => {
    const stub = stubConsumer(3);
    start(stub);
    stub.crash(false);
    await jest.advanceTimersByTimeAsync(4 * 1_000);
    expect(stub.calls).toEqual(['connect', 'connect', 'connect', 'connect', 'run']);
  });

  it('schedules one restart for crashes reported while one is pending', async () => {
    const stub = stubConsumer();
    start(stub);
    stub.crash(false);
    stub.crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(stub.calls).toEqual(['connect', 'run']);
  });

  it('restarts again after a later crash, once the consumer had joined its group', async () => {
    const stub = stubConsumer();
    start(stub);
    stub.crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    stub.join();
    stub.crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(stub.calls).toEqual(['connect', 'run', 'connect', 'run']);
  });

  it('restarts nothing once stopped (shutdown), even with a restart pending', async () => {
    const stub = stubConsumer();
    const { stop } = start(stub);
    stub.crash(false);
    stop();
    stub.crash(false);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(stub.calls).toEqual([]);
  });
});

/**
 * patches/kafkajs+2.2.4.patch (applied by patch-package at install): an idle kafkajs connection must
 * not re-arm a timer. Unpatched, every connection ran a 1 ms timer loop forever (kafkajs issue
 * #1556), about half of an idle gateway's CPU. This fails if the patch is not applied.
 */
interface RequestQueueShape {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueueShape;

// kafkajs ships no types for its internals; the shape above is what this test touches.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

const queues: RequestQueueShape[] = [];
const newQueue = (): RequestQueueShape => {
  const queue = new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'spec', broker: '127.0.0.1:9092', logger: { debug: () => undefined, warn: () => undefined } });
  queues.push(queue);
  return queue;
};

describe('kafkajs RequestQueue (patched)', () => {
  // Stops every timer, also after a failed expectation (an unpatched loop would keep jest running).
  afterEach(() => queues.splice(0).forEach((queue) => queue.destroy()));

  it('arms no timer when nothing is pending and nothing is throttled', () => {
    const sut = newQueue();
    sut.checkPendingRequests();
    expect(sut.throttleCheckTimeoutId).toBeNull();
  });

  it('still checks again later while the broker throttles it', () => {
    const sut = newQueue();
    sut.throttledUntil = Date.now() + 1_000;
    sut.scheduleCheckPendingRequests();
    expect(sut.throttleCheckTimeoutId).not.toBeNull();
  });

  it('still checks again later while requests are pending', () => {
    const sut = newQueue();
    sut.pending.push({});
    sut.scheduleCheckPendingRequests();
    expect(sut.throttleCheckTimeoutId).not.toBeNull();
  });
});

import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { GroupMembership } from './group-membership';

/** A stub consumer (no broker): the test emits kafkajs's instrumentation events. */
function stubConsumer() {
  const emitter = new EventEmitter();
  const events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' };
  const consumer = { events, on: (event: string, listener: () => void) => emitter.on(event, listener) } as unknown as Pick<Consumer, 'on' | 'events'>;
  return { consumer, emit: (event: keyof typeof events) => emitter.emit(events[event], {}) };
}

describe('GroupMembership (stub consumer)', () => {
  it('is a member from the join until a crash or a stop, and again after the next join', () => {
    const stub = stubConsumer();
    const sut = new GroupMembership();
    sut.follow(stub.consumer);
    expect(sut.joined).toBe(false);
    stub.emit('GROUP_JOIN');
    expect(sut.joined).toBe(true);
    stub.emit('CRASH');
    expect(sut.joined).toBe(false);
    stub.emit('GROUP_JOIN');
    stub.emit('STOP');
    expect(sut.joined).toBe(false);
  });

  it('tells when the consumer becomes a member: the first join and a rejoin after a crash, not a rebalance', () => {
    const stub = stubConsumer();
    const joins: boolean[] = [];
    const sut = new GroupMembership();
    sut.follow(stub.consumer, () => joins.push(sut.joined));
    stub.emit('GROUP_JOIN');
    stub.emit('GROUP_JOIN'); // a rebalance while a member
    stub.emit('CRASH');
    stub.emit('GROUP_JOIN');
    expect(joins).toEqual([true, true]);
  });
});

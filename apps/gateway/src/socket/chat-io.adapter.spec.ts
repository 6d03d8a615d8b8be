import { EventEmitter } from 'node:events';
import { of } from 'rxjs';
import { ChatIoAdapter } from './chat-io.adapter';

type BindArgs = Parameters<ChatIoAdapter['bindMessageHandlers']>;

/** A stub socket (no server): an EventEmitter that records what is emitted back. */
function stubSocket() {
  const socket = new EventEmitter() as EventEmitter & { emitted: unknown[][] };
  socket.emitted = [];
  const on = socket.emit.bind(socket);
  (socket as unknown as { fire: typeof on }).fire = on;
  socket.emit = ((...args: unknown[]) => {
    socket.emitted.push(args);
    return true;
  }) as typeof socket.emit;
  return socket as unknown as BindArgs[0] & { emitted: unknown[][]; fire: (event: string, ...args: unknown[]) => boolean };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ChatIoAdapter.bindMessageHandlers (stub socket)', () => {
  const sut = new ChatIoAdapter(undefined as never);

  it('hands each event its payload and ack, and leaves the answer to a handler that acks itself', async () => {
    const socket = stubSocket();
    const seen: unknown[] = [];
    sut.bindMessageHandlers(socket, [{ message: 'room:join', isAckHandledManually: true, callback: (data: unknown, ack: unknown) => Promise.resolve(seen.push(data, typeof ack)) }] as BindArgs[1]);
    const acks: unknown[] = [];
    socket.fire('room:join', { roomId: 'r1' }, (a: unknown) => acks.push(a));
    await settle();
    expect(seen).toEqual([{ roomId: 'r1' }, 'function']);
    expect(acks).toEqual([]);
  });

  it("gives a returned answer to the ack, and emits one that names an event, from a promise or a stream", async () => {
    const socket = stubSocket();
    sut.bindMessageHandlers(
      socket,
      [
        { message: 'a', callback: () => Promise.resolve({ ok: true }) },
        { message: 'b', callback: () => Promise.resolve(of({ event: 'notice', data: 42 })) },
      ] as BindArgs[1],
    );
    const acks: unknown[] = [];
    socket.fire('a', {}, (answer: unknown) => acks.push(answer));
    socket.fire('b', {});
    await settle();
    expect(acks).toEqual([{ ok: true }]);
    expect(socket.emitted).toEqual([['notice', 42]]);
  });

  it('keeps answering events after a handler failed', async () => {
    const socket = stubSocket();
    let calls = 0;
    sut.bindMessageHandlers(socket, [{ message: 'x', callback: () => (++calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve({ ok: true })) }] as BindArgs[1]);
    const acks: unknown[] = [];
    socket.fire('x', {}, (a: unknown) => acks.push(a));
    socket.fire('x', {}, (a: unknown) => acks.push(a));
    await settle();
    expect(acks).toEqual([{ ok: true }]);
  });

  it('hands an event sent without a callback its payload itself, not wrapped in an array', async () => {
    const socket = stubSocket();
    const seen: unknown[] = [];
    sut.bindMessageHandlers(socket, [{ message: 'typing', isAckHandledManually: true, callback: (data: unknown, ack: unknown) => Promise.resolve(seen.push(data, ack)) }] as BindArgs[1]);
    socket.fire('typing', { roomId: 'r1', typing: true });
    await settle();
    expect(seen).toEqual([{ roomId: 'r1', typing: true }, undefined]);
  });
});

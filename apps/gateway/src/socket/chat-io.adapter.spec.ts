import { of } from 'rxjs';
import { ChatIoAdapter } from './chat-io.adapter';

type BindArgs = Parameters<ChatIoAdapter['bindMessageHandlers']>;

/**
 * A stub socket (no server): it records what is emitted back, and `fire` delivers a client event
 * as Socket.IO does, to its catch-all listeners with the socket as `this`.
 */
function stubSocket() {
  const any: ((...args: unknown[]) => void)[] = [];
  const socket = {
    emitted: [] as unknown[][],
    emit(...args: unknown[]) {
      socket.emitted.push(args);
      return true;
    },
    onAny(listener: (...args: unknown[]) => void) {
      any.push(listener);
      return socket;
    },
    fire(event: string, ...args: unknown[]) {
      for (const listener of any) listener.apply(socket, [event, ...args]);
    },
  };
  return socket as unknown as BindArgs[0] & { emitted: unknown[][]; fire: (event: string, ...args: unknown[]) => void };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ChatIoAdapter.bindMessageHandlers (stub socket)', () => {
  // A fresh adapter each time: an adapter learns the gateway's events from the first socket.
  let sut: ChatIoAdapter;
  beforeEach(() => {
    sut = new ChatIoAdapter(undefined as never);
  });

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

  it('answers an event it has no handler for with bad_request, through the ack or as an error event', async () => {
    const socket = stubSocket();
    sut.bindMessageHandlers(socket, [{ message: 'room:join', callback: () => Promise.resolve(undefined) }] as BindArgs[1]);
    const acks: unknown[] = [];
    socket.fire('room:explode', {}, (a: unknown) => acks.push(a));
    socket.fire('room:explode', {});
    await settle();
    expect(acks).toEqual([{ ok: false, error: { code: 'bad_request', message: 'unknown event room:explode' } }]);
    expect(socket.emitted).toEqual([['error', { code: 'bad_request', message: 'unknown event room:explode' }]]);
  });

  it("gives each socket its own handlers, from one listener shared by every socket", async () => {
    const first = stubSocket();
    const second = stubSocket();
    const seen: string[] = [];
    sut.bindMessageHandlers(first, [{ message: 'room:join', callback: () => Promise.resolve(seen.push('first')) }] as BindArgs[1]);
    sut.bindMessageHandlers(second, [{ message: 'room:join', callback: () => Promise.resolve(seen.push('second')) }] as BindArgs[1]);
    second.fire('room:join', {});
    first.fire('room:join', {});
    await settle();
    expect(seen).toEqual(['second', 'first']);
  });
});

import type { ChatMessage, ClientEventName } from '@app/contracts';
import { ChatClient, type ChatTransport, type EventAnswer, type EventPayload, type TransportEvents } from '@app/client';
import { RecordingTransport } from './recording-transport';

const message = (seq: number): ChatMessage => ({ id: `m${seq}`, roomId: 'r1', seq, clientMsgId: `c${seq}`, user: { id: 'u1', username: 'alice' }, text: `t${seq}`, sentAt: new Date(0).toISOString() });
const room = { id: 'r1', name: 'r1', createdAt: new Date(0).toISOString(), createdBy: { id: 'u1', username: 'alice' }, memberCount: 1, messageCount: 0 };

/** A stub socket (no network): it connects at once, answers room:join, and the test plays the server's events. */
class StubWire implements ChatTransport {
  connected = false;
  private readonly listeners = new Map<string, ((payload: never) => void)[]>();
  on<E extends keyof TransportEvents>(event: E, listener: (payload: TransportEvents[E]) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (payload: never) => void]);
  }
  fire<E extends keyof TransportEvents>(event: E, payload: TransportEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: TransportEvents[E]) => void)(payload);
  }
  open(): void {
    this.connected = true;
    this.fire('connect', undefined);
    this.fire('session', { userId: 'u1', username: 'alice', sessionId: 's1', instance: 'gateway-1' });
  }
  close(): void {
    this.connected = false;
  }
  emit<E extends ClientEventName>(event: E, _payload: EventPayload<E>, ack: (answer: EventAnswer<E>) => void): boolean {
    if (event === 'room:join') void Promise.resolve().then(() => ack({ ok: true, room, members: [], messages: [message(1)], hasMore: false } as EventAnswer<E>));
    return this.connected;
  }
}

describe('RecordingTransport (with a stub socket)', () => {
  it('keeps a duplicate and a step back the server sends, which the SDK does not deliver', async () => {
    const wire = new StubWire();
    const sut = new RecordingTransport(wire);
    const client = new ChatClient({ url: 'http://stub', token: 't', transport: sut });
    const delivered: number[] = [];
    client.on('message', (m) => delivered.push(m.seq));
    await client.open();
    await client.join('r1');
    for (const seq of [2, 2, 1, 3]) wire.fire('message', { message: message(seq) });

    expect(delivered).toEqual([1, 2, 3]);
    expect(sut.received.filter((e) => e.event === 'message').map((e) => (e.payload as { message: ChatMessage }).message.seq)).toEqual([2, 2, 1, 3]);
    expect(sut.calls.map((c) => [c.event, (c.answer as { ok: boolean } | undefined)?.ok])).toEqual([['room:join', true]]);
    client.close();
  });

  it('marks a call cut when the connection drops before its answer', () => {
    const wire = new StubWire();
    const sut = new RecordingTransport(wire);
    wire.open();
    let cut = false;
    expect(sut.emit('rooms:list', {}, () => undefined)).toBe(true);
    sut.calls[0]!.onCut = () => (cut = true);
    wire.fire('disconnect', { reason: 'transport close', willReconnect: true });
    expect(sut.calls[0]!.cutAt).toEqual(expect.any(Number));
    expect(cut).toBe(true);
  });
});

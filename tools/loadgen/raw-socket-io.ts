import WebSocket from 'ws';

/**
 * A Socket.IO client for the load generator only: the Socket.IO protocol (v5, over Engine.IO v4)
 * spoken directly on a `ws` WebSocket, without socket.io-client's layers.
 *
 * Why: on the bench's two cores the load generator is one of the largest consumers, and ~35 % of
 * its CPU was socket.io-client, engine.io-client, socket.io-parser and their emitter (a perf
 * profile at 1,000 sends/s, docs/benchmarks.md), work a server under test never sees. The frames
 * on the wire are the same as socket.io-client's over its websocket transport, so both servers
 * (chatstream and the baseline) are driven exactly as before, only with less of the shared CPU.
 *
 * What it speaks (https://socket.io/docs/v4/socket-io-protocol/, text packets only):
 * - Engine.IO: `0{…}` open, `2`/`3` ping and pong (the server pings, the client answers), `1` close,
 *   `4<socket.io packet>` message, `6` noop.
 * - Socket.IO, main namespace only: `0{auth}` connect, `0{sid}` answer, `4{message}` connect
 *   error, `1` disconnect, `2[event, payload]` event, `2<id>[…]` event with an ack, `3<id>[answer]`.
 * Binary packets (`5`, `6`) are not spoken: the chat protocol has none; one arriving is counted as
 * an `error` event (`unexpected packet`), never dropped in silence.
 */

type Listener = (payload: unknown) => void;
export type WireEvent = 'session' | 'message' | 'error' | 'disconnect' | 'connect_error';

export interface RawSocketOptions {
  /** http(s) URL of the server; the path is /socket.io/ as both servers' default. */
  url: string;
  /** The Socket.IO handshake's `auth` object. */
  auth: Record<string, unknown>;
  localAddress?: string;
}

export class RawSocketIo {
  private ws: WebSocket | undefined;
  private connected = false;
  private closed = false;
  private nextAckId = 0;
  private readonly acks = new Map<number, (answer: unknown) => void>();
  private readonly listeners = new Map<string, Listener[]>();

  constructor(private readonly options: RawSocketOptions) {}

  on(event: WireEvent, listener: Listener): void {
    const list = this.listeners.get(event);
    if (list) list.push(listener);
    else this.listeners.set(event, [listener]);
  }

  open(): void {
    const base = new URL(this.options.url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = '/socket.io/';
    base.search = '?EIO=4&transport=websocket';
    const ws = new WebSocket(base, {
      perMessageDeflate: false,
      // The chat frames are JSON the servers wrote; the load generator parses each one anyway.
      skipUTF8Validation: true,
      ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}),
    });
    this.ws = ws;
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      try {
        // binaryType is ws's default 'nodebuffer': every frame arrives as one Buffer.
        this.onFrame(isBinary ? null : (data as Buffer).toString());
      } catch (error) {
        // A frame that is not the protocol (bad JSON) is the server's fault: counted, not fatal.
        this.fire('error', { message: `unexpected packet: ${error instanceof Error ? error.message : String(error)}` });
      }
    });
    ws.on('error', (error: Error) => {
      if (!this.connected) this.fire('connect_error', { message: error.message });
    });
    ws.on('close', () => this.onClosed('transport close'));
  }

  /** Sends an event with an acknowledgement; false when not connected (nothing is sent). */
  emit(event: string, payload: unknown, ack: (answer: unknown) => void): boolean {
    if (!this.connected || !this.ws) return false;
    const id = this.nextAckId++;
    this.acks.set(id, ack);
    this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    return true;
  }

  close(): void {
    if (this.closed) return;
    if (this.connected) this.ws?.send('41');
    this.ws?.close();
    this.onClosed('io client disconnect');
  }

  private onFrame(text: string | null): void {
    if (text === null) return this.fire('error', { message: 'unexpected packet: binary frame' });
    switch (text.charCodeAt(0)) {
      case 0x30: // '0' Engine.IO open: connect the main namespace with the auth object
        this.ws?.send(`40${JSON.stringify(this.options.auth)}`);
        return;
      case 0x32: // '2' ping
        this.ws?.send('3');
        return;
      case 0x34: // '4' message: a Socket.IO packet
        return this.onPacket(text);
      case 0x31: // '1' close
        this.ws?.close();
        return;
      case 0x36: // '6' noop
        return;
      default:
        this.fire('error', { message: `unexpected packet: ${text.slice(0, 40)}` });
    }
  }

  /** `text` is `4` followed by a Socket.IO packet: type digit, optional ack id, optional JSON. */
  private onPacket(text: string): void {
    const type = text.charCodeAt(1);
    switch (type) {
      case 0x32: {
        // '2' event: ["name", payload]
        const body = JSON.parse(text.slice(2)) as unknown;
        if (Array.isArray(body) && typeof body[0] === 'string') this.fire(body[0], body[1]);
        return;
      }
      case 0x33: {
        // '3' ack: <id>[answer]
        let i = 2;
        while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
        const id = Number(text.slice(2, i));
        const ack = this.acks.get(id);
        if (!ack) return;
        this.acks.delete(id);
        const body = JSON.parse(text.slice(i)) as unknown;
        ack(Array.isArray(body) ? body[0] : undefined);
        return;
      }
      case 0x30: // '0' connected
        this.connected = true;
        return;
      case 0x34: {
        // '4' connect error: {message}
        const body = text.length > 2 ? (JSON.parse(text.slice(2)) as unknown) : {};
        this.fire('connect_error', body);
        this.ws?.close();
        return;
      }
      case 0x31: // '1' the server disconnected this socket
        this.ws?.close();
        this.onClosed('io server disconnect');
        return;
      default:
        this.fire('error', { message: `unexpected packet: ${text.slice(0, 40)}` });
    }
  }

  private onClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const wasConnected = this.connected;
    this.connected = false;
    // Sends waiting for an answer get none: their own timers answer them `timeout`.
    this.acks.clear();
    if (wasConnected) this.fire('disconnect', reason);
  }

  private fire(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }
}

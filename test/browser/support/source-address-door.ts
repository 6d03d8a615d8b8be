import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A door into chatstream from a chosen source address. Nginx's ip_hash sends every 127.0.0.x
 * client to one replica, and a browser cannot choose its source address, so a page opened through
 * a door (http://127.0.0.1:<door port>/) reaches Nginx from `sourceIp` (127.0.N.1). A plain TCP
 * relay: HTTP, long-polling and WebSocket pass untouched, and the page's origin is the door.
 */
export class SourceAddressDoor {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;
  private refusing = false;

  private constructor(
    readonly sourceIp: string,
    private readonly target: { host: string; port: number },
  ) {
    this.server = createServer((inbound) => this.relay(inbound));
  }

  static async open(sourceIp: string, target: { host: string; port: number }): Promise<SourceAddressDoor> {
    const door = new SourceAddressDoor(sourceIp, target);
    await new Promise<void>((resolve, reject) => {
      door.server.once('error', reject);
      door.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = door.server.address();
    if (!address || typeof address === 'string') throw new Error('the door has no port');
    door.port = address.port;
    return door;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * The network between this door's pages and Nginx goes down: every relayed connection is cut
   * (keep-alive ones too, which a reconnect could otherwise reuse) and new ones are cut at once,
   * until restore().
   */
  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.refusing = false;
  }

  /** Stops listening and cuts every relayed connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private relay(inbound: Socket): void {
    if (this.refusing) {
      inbound.destroy();
      return;
    }
    const outbound = connect({ host: this.target.host, port: this.target.port, localAddress: this.sourceIp });
    const pair = [inbound, outbound];
    for (const socket of pair) {
      this.sockets.add(socket);
      // Either side gone: the other goes too, as a direct connection would.
      socket.on('close', () => {
        this.sockets.delete(socket);
        pair.forEach((s) => s.destroy());
      });
      socket.on('error', () => pair.forEach((s) => s.destroy()));
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }
}

import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

/** Kafka's api keys of the requests a fault can target. */
export const KafkaApi = { PRODUCE: 0, FETCH: 1 } as const;

/**
 * Network faults between this process's Kafka clients and a real broker, injected on the wire:
 * every socket this process opens while installed passes through here (node's
 * `net.createConnection`, which the Kafka clients connect with). Nothing of the broker or the
 * client library is replaced; requests and answers are Kafka's own bytes.
 */
export class KafkaWireFaults {
  private readonly original = net.createConnection;
  private readonly answersToLose = new Map<number, number>();
  /** Whose connections are cut: every client's (true), one client id's, or nobody's. */
  private cut: true | string | undefined;
  /** Each open socket, with the client id of its last request. */
  private readonly sockets = new Map<net.Socket, string | undefined>();
  /** Answers lost so far. */
  private lost = 0;

  constructor() {
    const original = this.original;
    net.createConnection = ((...args: Parameters<typeof net.createConnection>) => this.watch(original.apply(net, args))) as typeof net.createConnection;
    syncBuiltinESMExports(); // ES modules that import createConnection see it too
  }

  /**
   * The answers to the next `count` requests of this api are lost: the request reaches the broker
   * (which acts on it), the answer is dropped and the connection closed, as when the network fails
   * between the two.
   */
  loseAnswers(api: number, count: number): void {
    this.answersToLose.set(api, count);
  }

  /** How many answers were lost so far (a test checks that its fault happened). */
  get answersLost(): number {
    return this.lost;
  }

  /**
   * Cuts the connections of one client (by the client id its requests carry), or of every client:
   * each open one now, and each opened later at its first request, until `restoreConnections()`.
   */
  cutConnections(clientId?: string): void {
    this.cut = clientId ?? true;
    for (const [socket, id] of this.sockets) if (this.isCut(id)) socket.destroy();
  }

  /** The network is fine again: connections work. */
  restoreConnections(): void {
    this.cut = undefined;
  }

  uninstall(): void {
    net.createConnection = this.original;
    syncBuiltinESMExports();
  }

  private isCut(clientId: string | undefined): boolean {
    return this.cut === true || (this.cut !== undefined && this.cut === clientId);
  }

  private watch(socket: net.Socket): net.Socket {
    this.sockets.set(socket, undefined);
    socket.once('close', () => this.sockets.delete(socket));
    const losing = new Set<number>();
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    // A request is one buffer: size (4 bytes), api key (2), api version (2), correlation id (4),
    // client id (a 2-byte length, then the string).
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.length >= 14) {
        const length = chunk.readInt16BE(12);
        if (length >= 0 && chunk.length >= 14 + length) this.sockets.set(socket, chunk.toString('utf8', 14, 14 + length));
      }
      if (this.isCut(this.sockets.get(socket))) {
        socket.destroy(new Error('connection cut (KafkaWireFaults)'));
        return false;
      }
      if (Buffer.isBuffer(chunk) && chunk.length >= 12) {
        const api = chunk.readInt16BE(4);
        const toLose = this.answersToLose.get(api) ?? 0;
        if (toLose > 0) {
          this.answersToLose.set(api, toLose - 1);
          losing.add(chunk.readInt32BE(8));
        }
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    // An answer starts with its size (4 bytes) and its request's correlation id (4).
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      const data = args[0];
      if (event === 'data' && losing.size > 0 && Buffer.isBuffer(data) && data.length >= 8 && losing.has(data.readInt32BE(4))) {
        this.lost += 1;
        socket.destroy();
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  }
}

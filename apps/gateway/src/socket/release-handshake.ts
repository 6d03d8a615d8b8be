import type { IncomingMessage } from 'node:http';
import type { ChatSocket } from './socket-state';

const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Lets go of what an authenticated connection no longer needs. Socket.IO keeps, for the
 * connection's whole life, the HTTP upgrade request (its socket, parser and buffers: its
 * memory-usage guide advises dropping it) and a copy of the handshake: every header, the token,
 * the query. Of those the gateway reads only the client's address, kept in `socket.data`, and when
 * it connected (`handshake.issued`, kept). An idle connection's memory is what limits how many a
 * gateway holds (docs/benchmarks.md, "Memory per idle connection").
 */
export function releaseHandshake(socket: ChatSocket): void {
  const { handshake } = socket;
  const forwarded = handshake.headers['x-forwarded-for'];
  // Behind Nginx the peer is Nginx; the client is the first address it forwarded.
  socket.data.address = (typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined) || handshake.address;
  const conn = socket.conn as unknown as { request: IncomingMessage | null };
  if (conn.request) {
    // engine.io's upgrade response still holds the request until the TCP socket closes (its
    // 'close' listener): emptied too, or every header, raw and parsed, would stay all the same.
    conn.request.headers = {};
    conn.request.rawHeaders = [];
  }
  conn.request = null;
  handshake.headers = NOTHING;
  handshake.auth = NOTHING;
  handshake.query = NOTHING;
}

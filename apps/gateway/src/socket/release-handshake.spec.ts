import type { ChatSocket } from './socket-state';
import { releaseHandshake } from './release-handshake';

/** A stub socket: just the handshake, the upgrade request and the data Socket.IO would hold. */
function stubSocket(headers: Record<string, string>, address = '127.0.0.1') {
  const request = { headers: { ...headers }, rawHeaders: Object.entries(headers).flat() };
  const socket = {
    handshake: { headers, auth: { token: 'a.jwt.token' }, query: { EIO: '4' }, address, issued: 1_700_000_000_000 },
    conn: { request },
    data: {},
  };
  return { socket: socket as unknown as ChatSocket, request };
}

describe('releaseHandshake (stub socket)', () => {
  it("keeps the client's address as Nginx forwarded it, and lets go of the request, headers, token and query", () => {
    const { socket, request } = stubSocket({ 'x-forwarded-for': '127.0.9.1, 10.0.0.1', 'user-agent': 'a browser', cookie: 'long' });
    releaseHandshake(socket);
    expect(socket.data.address).toBe('127.0.9.1');
    expect(socket.conn.request).toBeNull();
    // engine.io's upgrade response still points at the request: it must not keep the headers either.
    expect(request.headers).toEqual({});
    expect(request.rawHeaders).toEqual([]);
    expect(socket.handshake.headers).toEqual({});
    expect(socket.handshake.auth).toEqual({});
    expect(socket.handshake.query).toEqual({});
    expect(socket.handshake.issued).toBe(1_700_000_000_000);
  });

  it('uses the peer address when nothing was forwarded (a client connected to the gateway directly)', () => {
    const { socket } = stubSocket({ host: 'gateway' }, '127.0.0.7');
    releaseHandshake(socket);
    expect(socket.data.address).toBe('127.0.0.7');
  });
});

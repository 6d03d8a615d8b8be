import { io, type Socket } from 'socket.io-client';
import { sourceAddress } from '@app/client';

/**
 * A child process of the connections scenario that opens and holds idle connections: one process
 * may hold at most as many sockets as it may open descriptors (20,000 on the development machines,
 * and root cannot raise it), so 20,000 connections need several. The parent (connections.ts) sends
 * HolderRequests over the IPC channel and gets one HolderAnswer for each.
 */
export type HolderRequest =
  | { kind: 'open'; url: string; auths: Record<string, string>[]; indices: number[] }
  | { kind: 'count' }
  | { kind: 'close' };

export type HolderAnswer =
  | { kind: 'opened'; times: number[]; errors: number; firstError: string }
  | { kind: 'count'; connected: number }
  | { kind: 'closed' };

const sockets: Socket[] = [];

/** Opens one connection; resolves with the ms until it is usable (its `session`: both systems send one). */
function connectOne(url: string, auth: Record<string, string>, index: number): Promise<number> {
  const started = performance.now();
  const socket = io(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
    localAddress: sourceAddress(1 + index),
  } as Parameters<typeof io>[1] & { localAddress: string });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no session within 20 s')), 20_000);
    socket.once('session', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
    socket.once('connect_error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function answer(request: HolderRequest): Promise<HolderAnswer> {
  switch (request.kind) {
    case 'open': {
      const outcomes = await Promise.allSettled(request.indices.map((i) => connectOne(request.url, request.auths[i % request.auths.length]!, i)));
      const times: number[] = [];
      let errors = 0;
      let firstError = '';
      for (const out of outcomes) {
        if (out.status === 'fulfilled') times.push(out.value);
        else {
          errors++;
          firstError ||= out.reason instanceof Error ? out.reason.message : String(out.reason);
        }
      }
      return { kind: 'opened', times, errors, firstError };
    }
    case 'count':
      return { kind: 'count', connected: sockets.filter((s) => s.connected).length };
    case 'close':
      for (const s of sockets) s.close();
      return { kind: 'closed' };
  }
}

process.on('message', (request: HolderRequest) => {
  void answer(request).then((a) => {
    process.send!(a);
    if (a.kind === 'closed') setTimeout(() => process.exit(0), 100);
  });
});
// The parent went away (killed): nothing is left holding connections.
process.on('disconnect', () => process.exit(0));

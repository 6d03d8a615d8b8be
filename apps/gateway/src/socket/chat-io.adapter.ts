import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import { LIMITS } from '@app/contracts';

/**
 * Socket.IO server options for the gateway. The frame limit sits above the protocol's text limit,
 * so an oversized message is answered `too_large` instead of the transport cutting the connection.
 * Short ping times let clients of a dead replica notice within seconds and reconnect elsewhere.
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    return super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: LIMITS.maxFrameBytes,
      pingInterval: 10_000,
      pingTimeout: 5_000,
      cors: { origin: true, credentials: true },
      transports: ['websocket', 'polling'],
      connectionStateRecovery: undefined,
    });
  }
}

import { Injectable } from '@nestjs/common';
import type { ChatServer } from './socket-state';

/**
 * The Socket.IO server of this replica, for services that emit to local sockets. Nest creates it
 * after the providers, so the gateway sets it here in afterInit; nothing emits before that.
 */
@Injectable()
export class SocketServerRef {
  server: ChatServer | undefined;
}

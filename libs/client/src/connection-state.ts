import type { Session } from '@app/contracts';
import type { ChatClientError } from './errors';

/**
 * Where the client stands (the `state` event and `client.state`):
 * - `connecting`: the first connection is being made.
 * - `catching-up`: connected (a `session` named the replica), re-joining the rooms joined before a
 *   reconnect and reading what was missed; sends to a room go out as soon as it is re-joined.
 * - `live`: connected, and every joined room is caught up: messages arrive as they are sent.
 * - `reconnecting`: the connection was lost; socket.io-client is retrying with backoff (through
 *   Nginx, possibly to another replica). Calls wait, each within its own deadline.
 * - `closed`: for good: `close()`, a server-side disconnect (an admin kick) or a refused handshake
 *   (`unauthorized`, `forbidden`). Pending and new calls fail with `closed`.
 */
export type ConnectionState = 'connecting' | 'catching-up' | 'live' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ConnectionState;
  /** The session of the current connection, or of the last one while reconnecting; `session.instance` names the replica. */
  session?: Session;
  /** Why the client is closed, or why the last connection attempt failed. */
  error?: ChatClientError;
}

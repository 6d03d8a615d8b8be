import type { Ack, ErrorBody } from './errors';
import type { ChatMessage, Room, Session, User } from './models';
import type {
  MessageSendInput,
  RoomCreateInput,
  RoomJoinInput,
  RoomLeaveInput,
  TypingInput,
  UserRenameInput,
} from './schemas';

/** The ok answer of `room:leave` and `typing` carries nothing but `ok: true` (`Record<string, never>` here would make `{ ok: true }` itself impossible). */
type Nothing = Record<never, never>;

/**
 * The Socket.IO protocol in one place (PROTOCOL.md). The gateway, the load generator, the tests
 * and the web client type their sockets with these maps, so a renamed event fails to compile.
 * Payloads are `unknown` on the server side until validated; these are the valid shapes.
 */
export interface ClientToServerEvents {
  'room:create': (p: RoomCreateInput, ack?: Ack<{ room: Room }>) => void;
  'room:join': (p: RoomJoinInput, ack?: Ack<{ room: Room; members: User[]; messages: ChatMessage[]; hasMore: boolean }>) => void;
  'room:leave': (p: RoomLeaveInput, ack?: Ack<Nothing>) => void;
  'message:send': (p: MessageSendInput, ack?: Ack<{ message: ChatMessage }>) => void;
  typing: (p: TypingInput, ack?: Ack<Nothing>) => void;
  'user:rename': (p: UserRenameInput, ack?: Ack<{ user: User }>) => void;
  'rooms:list': (p: Record<string, never>, ack?: Ack<{ rooms: Room[] }>) => void;
}

export type PresenceEvent = 'join' | 'leave' | 'rename';

export interface ServerToClientEvents {
  session: (p: Session) => void;
  message: (p: { message: ChatMessage }) => void;
  presence: (p: { roomId: string; event: PresenceEvent; user: User; members: User[] }) => void;
  typing: (p: { roomId: string; user: User; typing: boolean }) => void;
  'room:deleted': (p: { roomId: string }) => void;
  error: (p: ErrorBody) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/**
 * A runtime list of an event map's names that fails to compile unless it names every event:
 * the gateway answers unknown events from it, and the protocol doc's spec checks each is documented.
 */
const namesOf =
  <EventMap>() =>
  <const Names extends readonly (keyof EventMap & string)[]>(
    names: Names & ([Exclude<keyof EventMap, Names[number]>] extends [never] ? unknown : { missingEvents: Exclude<keyof EventMap, Names[number]> }),
  ): Names =>
    names;

export const CLIENT_EVENTS = namesOf<ClientToServerEvents>()([
  'room:create',
  'room:join',
  'room:leave',
  'message:send',
  'typing',
  'user:rename',
  'rooms:list',
]);

export const SERVER_EVENTS = namesOf<ServerToClientEvents>()(['session', 'message', 'presence', 'typing', 'room:deleted', 'error']);

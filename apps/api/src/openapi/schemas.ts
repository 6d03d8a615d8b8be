import { z } from 'zod';
import {
  adminLoginSchema,
  banSchema,
  ERROR_CODES,
  loginSchema,
  REST_ERRORS,
  ROOM_ID_PATTERN,
  type ChatMessage,
  type ErrorBody,
  type HistoryPage,
  type Room,
  type RoomStats,
  type User,
} from '@app/contracts';
import type { ReplicaRecord } from '@app/redis';
import type { AdminViews } from '../admin/admin-views.service';
import type { LoginService } from '../auth/login.service';

/**
 * The named schemas of the OpenAPI document (#/components/schemas), as zod schemas converted in
 * one pass (./json-schema.ts), so a schema used inside another becomes a $ref to its name.
 *
 * Request bodies are the validation schemas of libs/contracts themselves: what the document says
 * is what the api enforces. Answers have no runtime schema (the api builds them, it does not parse
 * them), so they are written here, each checked at compile time against the type the code returns
 * (`exactly<T>()`): a field added to, removed from or retyped in `Room`, `ChatMessage`, an admin
 * view... fails `tsc` until this file says the same.
 */

/** `true` when A and B are each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A schema whose parsed type must be exactly T (the compile error names the mismatch only loosely: compare the two). */
const exactly =
  <T>() =>
  <S extends z.ZodTypeAny>(schema: S & (Same<z.output<S>, T> extends true ? unknown : 'this schema does not describe the type it answers')): S =>
    schema;

type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

// Made afresh at each use: zod-to-json-schema writes an instance met twice as a $ref to where it
// was met first (json-schema.ts inlines it again, but `.nullable()` of such a ref becomes an allOf).
const isoTime = () => z.string().datetime();
const count = () => z.number().int().nonnegative();
const retryAfterMs = () => count().describe('when to retry, in milliseconds (also in the `Retry-After` header, in seconds)');

const user = exactly<User>()(
  z.object({ id: z.string().describe('stable: the same username always has the same id'), username: z.string() }),
);

const room = exactly<Room>()(
  z.object({
    id: z.string().regex(ROOM_ID_PATTERN).describe('made by the server: short, URL-safe'),
    name: z.string(),
    createdAt: isoTime(),
    createdBy: user,
    memberCount: count().describe('distinct users in the room now'),
    messageCount: count(),
  }),
);

const roomStats = exactly<RoomStats>()(
  z.object({
    participantCount: count(),
    lastActivityAt: isoTime().nullable().describe('the last message; stored once a second, so it may lag history by up to a second'),
  }),
);
const roomWithStats = exactly<Room & RoomStats>()(room.merge(roomStats));

const message = exactly<ChatMessage>()(
  z.object({
    id: z.string(),
    roomId: z.string(),
    seq: z.number().int().min(1).describe("the message's position in its room: strictly increasing, may skip numbers"),
    clientMsgId: z.string(),
    user,
    text: z.string(),
    sentAt: isoTime().describe('set by the gateway'),
  }),
);

const historyPage = exactly<HistoryPage>()(
  z.object({
    messages: z.array(message).describe('oldest first'),
    hasMore: z
      .boolean()
      .describe('older messages remain (with `before`, or with no cursor), or newer ones (with `after`)'),
  }),
);

const signedIn = exactly<Answer<LoginService['login']>>()(
  z.object({ token: z.string().describe('a JWT: send it as `Authorization: Bearer <token>`'), user }),
);

const errorBody = exactly<ErrorBody>()(
  z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().describe('for people; the code is what a program checks'),
    retryAfterMs: retryAfterMs().optional(),
  }),
);

export { REST_ERRORS };
export type ErrorStatus = keyof typeof REST_ERRORS;

/** `{"error": {code, message}}` with this one code; retryAfterMs always with 429, sometimes with 503. */
function errorAnswer<S extends ErrorStatus>(status: S) {
  const code = z.literal(REST_ERRORS[status]);
  const body =
    status === 429
      ? errorBody.extend({ code, retryAfterMs: retryAfterMs() })
      : status === 503
        ? errorBody.extend({ code })
        : errorBody.omit({ retryAfterMs: true }).extend({ code });
  return z.object({ error: body });
}

const replica = exactly<ReplicaRecord>()(
  z.object({
    instance: z.string(),
    port: z.number().int(),
    pid: z.number().int(),
    startedAt: isoTime(),
    lastBeatAt: isoTime(),
    connections: count(),
    rooms: count(),
  }),
);

const adminClient = exactly<Answer<AdminViews['client']>>()(
  z.object({
    user,
    sessions: z.array(
      z.object({
        socketId: z.string(),
        sessionId: z.string(),
        instance: z.string().describe('the gateway replica holding the socket'),
        rooms: z.array(z.string()),
        connectedAt: isoTime(),
        address: z.string(),
      }),
    ),
  }),
);

const adminRoom = exactly<Answer<AdminViews['room']>>()(roomWithStats.extend({ members: z.array(user) }));

const ban = exactly<Answer<AdminViews['ban']>>()(
  z.object({ ban: z.object({ userId: z.string(), until: isoTime() }) }),
);

/** Every named schema; ./openapi.decorators.ts refers to them by these names. */
export const COMPONENT_SCHEMAS = {
  LoginRequest: loginSchema,
  AdminLoginRequest: adminLoginSchema,
  BanRequest: banSchema,
  User: user,
  Room: room,
  RoomWithStats: roomWithStats,
  Message: message,
  SignedIn: signedIn,
  RoomList: z.object({ rooms: z.array(room) }),
  RoomAnswer: z.object({ room: roomWithStats }),
  HistoryPage: historyPage,
  Replica: replica,
  ServerList: z.object({ servers: z.array(replica) }),
  AdminClient: adminClient,
  AdminClientList: z.object({ clients: z.array(adminClient) }),
  AdminClientAnswer: z.object({ client: adminClient }),
  Disconnected: exactly<Answer<AdminViews['kick']>>()(
    z.object({ sessions: count().describe('sockets told to disconnect, on every replica') }),
  ),
  Ban: ban,
  AdminRoom: adminRoom,
  AdminRoomAnswer: z.object({ room: adminRoom }),
  Empty: z.object({}).strict(),
  Liveness: z.object({ status: z.literal('ok'), instance: z.string(), uptimeSeconds: count() }),
  BadRequestError: errorAnswer(400),
  UnauthorizedError: errorAnswer(401),
  ForbiddenError: errorAnswer(403),
  NotFoundError: errorAnswer(404),
  TooLargeError: errorAnswer(413),
  RateLimitedError: errorAnswer(429),
  UnavailableError: errorAnswer(503),
} satisfies Record<string, z.ZodTypeAny>;

export type ComponentName = keyof typeof COMPONENT_SCHEMAS;

export const ERROR_SCHEMAS: Record<ErrorStatus, ComponentName> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  413: 'TooLargeError',
  429: 'RateLimitedError',
  503: 'UnavailableError',
};

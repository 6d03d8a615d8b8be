import { z } from 'zod';
import { LIMITS, ROOM_ID_PATTERN, USERNAME_PATTERN } from './limits';

/**
 * Validation of everything that crosses the edge. Objects are strict: an unknown field is a
 * bad request, so a client cannot smuggle a huge extra field or a `user` of its choosing.
 */
export const usernameSchema = z
  .string()
  .min(1, 'username must not be empty')
  .max(LIMITS.usernameMax, `username must be at most ${LIMITS.usernameMax} characters`)
  .regex(USERNAME_PATTERN, 'username may contain letters, digits, _, -, . and inner spaces');

export const roomIdSchema = z.string().regex(ROOM_ID_PATTERN, 'roomId is not a valid room id');
export const seqSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const loginSchema = z.object({ username: usernameSchema }).strict();
/** `POST /admin/clients/:id/ban`: from a second to a year. */
export const banSchema = z.object({ seconds: z.number().int().min(1).max(365 * 24 * 60 * 60) }).strict();
/** The admin's name and password are compared, never shown: only their type and size are checked here. */
export const adminLoginSchema = z
  .object({ username: z.string().min(1).max(LIMITS.usernameMax), password: z.string().min(1).max(1024) })
  .strict();

export const roomCreateSchema = z
  .object({
    name: z
      .string()
      .transform((s) => s.trim())
      .pipe(z.string().min(1, 'name must not be empty').max(LIMITS.roomNameMax, 'name is too long')),
  })
  .strict();

export const roomJoinSchema = z.object({ roomId: roomIdSchema, since: seqSchema.optional() }).strict();
export const roomLeaveSchema = z.object({ roomId: roomIdSchema }).strict();

/** Text length is checked separately so an oversized text answers `too_large`, not `bad_request`. */
export const messageSendSchema = z
  .object({
    roomId: roomIdSchema,
    text: z.string(),
    clientMsgId: z.string().min(1).max(LIMITS.clientMsgIdMax).regex(/^[\x21-\x7e]+$/, 'clientMsgId must be printable ASCII'),
  })
  .strict();

export const typingSchema = z.object({ roomId: roomIdSchema, typing: z.boolean() }).strict();
export const userRenameSchema = z.object({ username: usernameSchema }).strict();
export const roomsListSchema = z.object({}).strict();

// A query value is a string on the wire; each is piped into the number it denotes, so the
// schema states that number's range too (the api's OpenAPI document describes parameters by it).
const nonNegativeIntString = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer')
  .transform(Number)
  .pipe(seqSchema);

export const historyQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'limit must be an integer from 1 to 100')
      .transform(Number)
      .pipe(z.number().int().min(1, 'limit must be from 1 to 100').max(LIMITS.historyLimitMax, 'limit must be from 1 to 100'))
      .optional(),
    before: nonNegativeIntString.optional(),
    after: nonNegativeIntString.optional(),
  })
  // Unknown parameters are refused, not ignored: `?limit[]=5` or `?after[$ne]=null` must not
  // quietly answer a different page than the client asked for.
  .strict()
  .refine((q) => q.before === undefined || q.after === undefined, 'before and after cannot be combined');

export type LoginInput = z.infer<typeof loginSchema>;
export type RoomCreateInput = z.infer<typeof roomCreateSchema>;
export type RoomJoinInput = z.infer<typeof roomJoinSchema>;
export type RoomLeaveInput = z.infer<typeof roomLeaveSchema>;
export type MessageSendInput = z.infer<typeof messageSendSchema>;
export type TypingInput = z.infer<typeof typingSchema>;
export type UserRenameInput = z.infer<typeof userRenameSchema>;
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** Limits of the public protocol (PROTOCOL.md). */
export const LIMITS = {
  usernameMax: 32,
  roomNameMax: 64,
  textMax: 4000,
  clientMsgIdMax: 128,
  roomIdMax: 64,
  historyLimitMax: 100,
  historyLimitDefault: 50,
  /** Socket.IO frames above this are refused by the transport; below it we answer too_large. */
  maxFrameBytes: 2 * 1024 * 1024,
} as const;

/** Letters, digits, `_`, `-`, `.`, and spaces inside (never leading or trailing). */
export const USERNAME_PATTERN = /^[\p{L}\p{N}_.-](?:[\p{L}\p{N}_. -]*[\p{L}\p{N}_.-])?$/u;
/** Room ids are server-made, short and URL-safe. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

import type { User } from '@app/contracts';

/** A message as stored: the protocol shape plus where it sits in Kafka (for audits and replays). */
export interface MessageDocument {
  _id: string;
  roomId: string;
  seq: number;
  clientMsgId: string;
  user: User;
  text: string;
  sentAt: string;
  partition: number;
  offset: string;
}

export interface RoomDocument {
  _id: string;
  name: string;
  createdAt: Date;
  createdBy: User;
  messageCount: number;
  lastActivityAt: Date | null;
}

export interface UserDocument {
  _id: string;
  username: string;
  /** Lower-cased username: one account per name whatever its case. */
  usernameKey: string;
  createdAt: Date;
}

export const COLLECTIONS = { messages: 'messages', rooms: 'rooms', users: 'users' } as const;

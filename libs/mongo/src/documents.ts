import type { ChatMessage, User } from '@app/contracts';

/** A message as stored: the protocol shape (`id` as `_id`) plus where it sits in Kafka. */
export type MessageDocument = Omit<ChatMessage, 'id'> & {
  _id: string;
  partition: number;
  offset: string;
};

/** The stored form of a message: its id as `_id`, plus where it sits in Kafka. */
export function toDocument({ id, ...fields }: ChatMessage, partition: number, offset: string): MessageDocument {
  return { _id: id, ...fields, partition, offset };
}

/** The protocol form of a stored message (the inverse of toDocument). */
export function toMessage({ _id, partition, offset, ...fields }: MessageDocument): ChatMessage {
  return { id: _id, ...fields };
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

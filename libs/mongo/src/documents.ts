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
  /**
   * 'none' from creation until the persister first records the room's messages ('some'): what the
   * empty-room reaper looks for, through an index, instead of reading every room. A string, so that
   * FerretDB pushes the equality down to SQLite too. Absent on rooms stored before it existed
   * (RoomsRepository.markRoomsWithoutHistory fills it in).
   */
  history?: 'none' | 'some';
}

export interface UserDocument {
  _id: string;
  username: string;
  /** Lower-cased username: one account per name whatever its case. */
  usernameKey: string;
  createdAt: Date;
}

export const COLLECTIONS = { messages: 'messages', rooms: 'rooms', users: 'users' } as const;

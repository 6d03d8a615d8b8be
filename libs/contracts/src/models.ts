export interface User {
  id: string;
  username: string;
}

export interface Room {
  id: string;
  name: string;
  createdAt: string;
  createdBy: User;
  memberCount: number;
  messageCount: number;
}

/** `GET /api/rooms/:id` adds these to a room. */
export interface RoomStats {
  participantCount: number;
  lastActivityAt: string | null;
}

export interface ChatMessage {
  id: string;
  roomId: string;
  /** Position in the room: strictly increasing, may skip; derived from the Kafka offset. */
  seq: number;
  clientMsgId: string;
  user: User;
  text: string;
  /** ISO-8601, set by the gateway. */
  sentAt: string;
}

export interface Session {
  userId: string;
  username: string;
  sessionId: string;
  instance: string;
}

export interface HistoryPage {
  messages: ChatMessage[];
  hasMore: boolean;
}

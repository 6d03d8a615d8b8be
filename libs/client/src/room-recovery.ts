import type { ChatMessage, HistoryPage, Room, User } from '@app/contracts';
import { retryDelay, sleep, type BackoffOptions } from './backoff';
import type { Connection } from './connection';
import { ChatClientError, isTransient } from './errors';
import type { HistoryQuery } from './rest';
import type { RoomFeed } from './room-feed';

/** A room the client is in (or joining), kept across connections. */
export interface JoinedRoom {
  readonly roomId: string;
  readonly feed: RoomFeed;
  /** Whether a join was ever answered: then a re-join asks `since` the last delivered seq. */
  joinedBefore: boolean;
  /** The epoch of the connection the room is joined on; sends wait until it is the current one. */
  joinedOn: number | undefined;
  room?: Room;
  members: User[];
  /** The first join's answer, for join()'s caller. */
  firstAnswer?: { room: Room; members: User[]; messages: ChatMessage[]; hasMore: boolean };
}

export interface RecoverySettings {
  answerTimeoutMs: number;
  backoff: BackoffOptions;
  /** REST page size while filling a gap (the API's maximum). */
  pageLimit: number;
}

export interface RecoveryOutcome {
  /** The join was answered on this connection: sends may go (the gap may still be being read). */
  joined(room: JoinedRoom): void;
  /** The room is caught up: every missed message delivered, live from here. */
  caughtUp(room: JoinedRoom): void;
  /** The room cannot be (re-)joined: deleted (`not_found`), full, forbidden... */
  gone(room: JoinedRoom, error: ChatClientError): void;
}

/**
 * (Re-)joins one room on one connection and fills the gap since the last message delivered
 * (PROTOCOL.md's reconnect recipe): `room:join` with `since`, then `GET .../messages?after=` while
 * `hasMore`, the room's feed holding live messages meanwhile and de-duplicating by seq. Retries
 * what may pass later (`unavailable`, `rate_limited`, no answer, REST failures) with backoff for
 * as long as the connection lasts; when it drops, the work stops and the next connection's
 * recovery starts over from the feed's lastSeq, so nothing is skipped and nothing repeated.
 */
export class RoomRecovery {
  constructor(
    private readonly connection: Connection,
    private readonly history: (roomId: string, query: HistoryQuery) => Promise<HistoryPage>,
    private readonly settings: RecoverySettings,
    private readonly outcome: RecoveryOutcome,
    /** Whether the room is still wanted (not left, not given up by join()'s deadline). */
    private readonly wanted: (room: JoinedRoom) => boolean,
  ) {}

  async recover(room: JoinedRoom, epoch: number): Promise<void> {
    const live = () => this.connection.isCurrent(epoch) && this.wanted(room);
    // Live messages of this connection come only after the join's answer; holding from before the
    // emit keeps them behind the answer's messages whatever order the callbacks run in.
    room.feed.hold();
    const since = room.joinedBefore ? room.feed.lastSeq : undefined;
    let answer: NonNullable<JoinedRoom['firstAnswer']> | undefined;
    for (let attempt = 0; !answer; attempt++) {
      if (!live()) return;
      const outcome = await this.connection.call('room:join', since === undefined ? { roomId: room.roomId } : { roomId: room.roomId, since }, this.settings.answerTimeoutMs);
      if (!live() || outcome.kind === 'cut') {
        // Left (or given up) while the join was under way, which the server carried out: undo it.
        if (outcome.kind === 'answer' && outcome.answer.ok && this.connection.isCurrent(epoch)) {
          void this.connection.call('room:leave', { roomId: room.roomId }, this.settings.answerTimeoutMs);
        }
        return;
      }
      if (outcome.kind === 'answer' && outcome.answer.ok) {
        answer = outcome.answer;
        break;
      }
      const error = outcome.kind === 'answer' && !outcome.answer.ok ? ChatClientError.fromBody(outcome.answer.error) : undefined;
      if (error && !isTransient(error.code)) return this.outcome.gone(room, error);
      await sleep(retryDelay(attempt, error?.retryAfterMs, this.settings.backoff));
    }
    room.joinedOn = epoch;
    room.room = answer.room;
    room.members = answer.members;
    if (!room.joinedBefore) room.firstAnswer = answer;
    const wasJoinedBefore = room.joinedBefore;
    room.joinedBefore = true;
    this.outcome.joined(room);

    // Without `since` the answer is the newest page and hasMore means older messages: no gap.
    let more = room.feed.page(answer.messages) && answer.hasMore && wasJoinedBefore;
    for (let attempt = 0; more; ) {
      let page: HistoryPage;
      try {
        page = await this.history(room.roomId, { after: room.feed.lastSeq, limit: this.settings.pageLimit });
      } catch (error) {
        if (!live()) return;
        const failure = error instanceof ChatClientError ? error : new ChatClientError('unavailable', String(error));
        if (!isTransient(failure.code) && failure.code !== 'timeout') return this.outcome.gone(room, failure);
        await sleep(retryDelay(attempt++, failure.retryAfterMs, this.settings.backoff));
        continue;
      }
      // A page read for a connection that is gone is dropped: the next re-join asks from lastSeq.
      if (!live()) return;
      attempt = 0;
      const before = room.feed.lastSeq;
      more = room.feed.page(page.messages) && page.hasMore;
      // A page that moves nothing on (only messages already delivered) would be asked again forever.
      if (more && room.feed.lastSeq === before) more = false;
    }
    room.feed.release();
    this.outcome.caughtUp(room);
  }
}

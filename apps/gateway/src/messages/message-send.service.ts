import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatMetrics } from '@app/observability';
import { ChatError, LIMITS, newMessageId, type ChatMessage, type ChatRecord, type MessageSendInput } from '@app/contracts';
import { LiveStream } from '../live/live-stream.service';
import { retryAnswer, sendKey, type FirstRecord } from '../live/retry-window';
import type { ChatSocket } from '../socket/socket-state';
import { MessageProducer } from './message-producer.service';
import { SendRate } from './send-rate';

/** PROTOCOL.md answers every send within 10 s; this leaves room for the network. */
const ANSWER_WITHIN_MS = 8_000;
/** The produce gets most of it; the rest is for reading the record back from the log. */
const PRODUCE_WITHIN_MS = 6_000;
/** What a client is told to wait before resending when its send could not be confirmed. */
const RESEND_AFTER_MS = 1_000;

/**
 * `message:send`: validates, produces, and answers with the send's first record in the log.
 *
 * Exactly once per (roomId, clientMsgId) (guarantee 3) rests on the log alone, not on a cache
 * that can be lost: every gateway reads every record, and RetryWindow judges a second record of a
 * send a repeat that is never delivered. So a send is answered only after this replica's live
 * stream has read its record back, with whatever record came first: the ack of a retry (here or on
 * another replica, after a lost ack, a timeout or any fault) carries the same id and seq as the
 * first ack and as history. A retry of a send already read is answered from memory, producing
 * nothing; a retry while the first attempt is still under way here shares its answer.
 */
@Injectable()
export class MessageSendService {
  private readonly rates = new WeakMap<ChatSocket, SendRate>();
  private readonly underWay = new Map<string, Promise<FirstRecord>>();

  constructor(
    private readonly producer: MessageProducer,
    private readonly live: LiveStream,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
  ) {}

  /** The sender comes from the socket's token, never from the payload. */
  async send(socket: ChatSocket, input: MessageSendInput): Promise<ChatMessage> {
    this.metrics.messagesReceived.inc();
    const text = input.text.trim();
    if (text.length === 0) throw new ChatError('bad_request', 'text must not be empty');
    if (text.length > LIMITS.textMax) throw new ChatError('too_large', `text is longer than ${LIMITS.textMax} characters`);
    if (!socket.data.rooms.has(input.roomId)) throw new ChatError('forbidden', 'join the room before sending to it');
    this.takeRate(socket);

    const { roomId, clientMsgId } = input;
    const user = socket.data.user;
    const known = this.live.firstOf(roomId, clientMsgId);
    if (known) return retryAnswer(known, { roomId, clientMsgId, text }, user);
    const key = sendKey(roomId, clientMsgId);
    let attempt = this.underWay.get(key);
    if (!attempt) {
      attempt = this.produce({ v: 1, id: newMessageId(), roomId, clientMsgId, user: { id: user.id, username: user.username }, text, sentAt: new Date().toISOString() });
      this.underWay.set(key, attempt);
      void attempt.catch(() => undefined).finally(() => this.underWay.delete(key));
    }
    return retryAnswer(await attempt, { roomId, clientMsgId, text }, user);
  }

  /** Produces the record (guarantee 1: resolves only once Kafka has it) and reads back the send's first record. */
  private async produce(record: ChatRecord): Promise<FirstRecord> {
    const deadline = Date.now() + ANSWER_WITHIN_MS;
    const position = await this.producer.send({ key: record.roomId, value: JSON.stringify(record) }, PRODUCE_WITHIN_MS);
    const produced = performance.now();
    const read = await this.live.hasRead(position, Math.max(0, deadline - Date.now()));
    this.metrics.sendReadBack.observe((performance.now() - produced) / 1000);
    if (!read) {
      throw new ChatError('unavailable', 'the message is in Kafka but not confirmed yet; resend it with the same clientMsgId', RESEND_AFTER_MS);
    }
    const first = this.live.firstOf(record.roomId, record.clientMsgId);
    // Only a window shorter than the read itself could have let it go already.
    if (!first) throw new ChatError('unavailable', 'the message is in Kafka but no longer in the retry window', RESEND_AFTER_MS);
    return first;
  }

  private takeRate(socket: ChatSocket): void {
    let rate = this.rates.get(socket);
    if (!rate) this.rates.set(socket, (rate = new SendRate(this.config.chat.messageRatePerSecond, Date.now())));
    const waitMs = rate.take(Date.now());
    if (waitMs > 0) throw new ChatError('rate_limited', 'too many messages; slow down', waitMs);
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatMetrics } from '@app/observability';
import { ChatError, LIMITS, messageFromRecord, type ChatMessage, type ChatRecord, type MessageSendInput } from '@app/contracts';
import type { ChatSocket } from '../socket/socket-state';
import { MessageProducer } from './message-producer.service';
import { SendDedup } from './send-dedup';
import { SendRate } from './send-rate';

@Injectable()
export class MessageSendService {
  private readonly logger = new Logger(MessageSendService.name);
  private readonly rates = new WeakMap<ChatSocket, SendRate>();

  constructor(
    private readonly producer: MessageProducer,
    private readonly dedup: SendDedup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
  ) {}

  /**
   * Validates, de-duplicates and produces one message; resolves only after Kafka has it
   * (guarantee 1). The sender comes from the socket's token, never from the payload.
   */
  async send(socket: ChatSocket, input: MessageSendInput): Promise<ChatMessage> {
    this.metrics.messagesReceived.inc();
    const text = input.text.trim();
    if (text.length === 0) throw new ChatError('bad_request', 'text must not be empty');
    if (text.length > LIMITS.textMax) throw new ChatError('too_large', `text is longer than ${LIMITS.textMax} characters`);
    if (!socket.data.rooms.has(input.roomId)) throw new ChatError('forbidden', 'join the room before sending to it');
    this.takeRate(socket);

    const user = socket.data.user;
    const claim = await this.dedup.claim(input.roomId, input.clientMsgId);
    if (claim.kind !== 'new') {
      const original = claim.kind === 'done' ? claim.message : await this.dedup.waitForDone(input.roomId, input.clientMsgId);
      if (original.user.id !== user.id) throw new ChatError('bad_request', 'clientMsgId was already used by another sender');
      return original;
    }

    const record: ChatRecord = {
      v: 1,
      id: randomUUID(),
      roomId: input.roomId,
      clientMsgId: input.clientMsgId,
      user: { id: user.id, username: user.username },
      text,
      sentAt: new Date().toISOString(),
    };
    let message: ChatMessage;
    try {
      const position = await this.producer.send({ key: record.roomId, value: JSON.stringify(record) });
      message = messageFromRecord(record, position.offset);
    } catch (error) {
      await this.dedup.release(input.roomId, input.clientMsgId);
      throw error;
    }
    // Kafka has the message: from here on the send succeeded whatever happens to Redis.
    await this.dedup.complete(message).catch((error: Error) => this.logger.warn(`dedup record not stored: ${error.message}`));
    return message;
  }

  private takeRate(socket: ChatSocket): void {
    let rate = this.rates.get(socket);
    if (!rate) this.rates.set(socket, (rate = new SendRate(this.config.chat.messageRatePerSecond, Date.now())));
    const waitMs = rate.take(Date.now());
    if (waitMs > 0) throw new ChatError('rate_limited', 'too many messages; slow down', waitMs);
  }
}

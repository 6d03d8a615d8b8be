import { Inject, Logger } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { TokenService } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  messageSendSchema,
  parseInput,
  roomCreateSchema,
  roomJoinSchema,
  roomLeaveSchema,
  roomsListSchema,
  typingSchema,
  userRenameSchema,
} from '@app/contracts';
import { UsersRepository } from '@app/mongo';
import { LiveStream } from './live/live-stream.service';
import { MessageSendService } from './messages/message-send.service';
import { PresenceNotifier } from './presence/presence-notifier.service';
import { RoomDirectory } from './rooms/room-directory.service';
import { RoomMembership } from './rooms/room-membership.service';
import { TypingRelay } from './typing/typing-relay.service';
import { UserRename } from './users/user-rename.service';
import { acknowledge } from './socket/acknowledge';
import { socketAuth } from './socket/socket-auth';
import { userChannel, type ChatServer, type ChatSocket } from './socket/socket-state';

/**
 * The Socket.IO edge of PROTOCOL.md. Handlers parse their payload and make one service call;
 * `acknowledge` answers exactly once and turns every failure into a coded error.
 */
@WebSocketGateway()
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  @WebSocketServer() private server!: ChatServer;

  constructor(
    private readonly tokens: TokenService,
    private readonly live: LiveStream,
    private readonly notifier: PresenceNotifier,
    private readonly typingRelay: TypingRelay,
    private readonly renames: UserRename,
    private readonly users: UsersRepository,
    private readonly rooms: RoomDirectory,
    private readonly membership: RoomMembership,
    private readonly sender: MessageSendService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(server: ChatServer): void {
    server.use(socketAuth(this.tokens, this.users));
    for (const part of [this.live, this.notifier, this.typingRelay, this.renames, this.membership]) part.attach(server);
  }

  handleConnection(socket: ChatSocket): void {
    const { user, sessionId } = socket.data;
    void socket.join(userChannel(user.id));
    socket.emit('session', { userId: user.id, username: user.username, sessionId, instance: this.config.instanceId });
  }

  handleDisconnect(socket: ChatSocket): void {
    if (!socket.data.user) return;
    void this.membership.disconnected(socket).catch((error: Error) => this.logger.warn(`cleanup failed: ${error.message}`));
  }

  @SubscribeMessage('room:create')
  onRoomCreate(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      const { name } = parseInput(roomCreateSchema, body);
      return { room: await this.rooms.create(name, socket.data.user) };
    });
  }

  @SubscribeMessage('room:join')
  async onRoomJoin(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    let goLive: (() => void) | undefined;
    await acknowledge(
      socket,
      ack,
      async () => {
        const joined = await this.membership.join(socket, parseInput(roomJoinSchema, body));
        goLive = joined.goLive;
        return joined.answer;
      },
      () => goLive?.(),
    );
  }

  @SubscribeMessage('room:leave')
  onRoomLeave(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      await this.membership.leave(socket, parseInput(roomLeaveSchema, body).roomId);
      return {};
    });
  }

  @SubscribeMessage('message:send')
  onMessageSend(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => ({
      message: await this.sender.send(socket, parseInput(messageSendSchema, body)),
    }));
  }

  @SubscribeMessage('typing')
  onTyping(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      await this.typingRelay.typing(socket, parseInput(typingSchema, body));
      return {};
    });
  }

  @SubscribeMessage('user:rename')
  onUserRename(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => ({
      user: await this.renames.rename(socket, parseInput(userRenameSchema, body).username),
    }));
  }

  @SubscribeMessage('rooms:list')
  onRoomsList(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      parseInput(roomsListSchema, body ?? {});
      return { rooms: await this.rooms.list() };
    });
  }
}

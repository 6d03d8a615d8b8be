import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
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
import { ChatMetrics } from '@app/observability';
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
import { UserBans } from '@app/redis';
import { RoomViews } from '@app/rooms';
import { MessageSendService } from './messages/message-send.service';
import { RoomDirectory } from './rooms/room-directory.service';
import { ReplicaHeartbeat } from './presence/replica-heartbeat.service';
import { RoomMembership } from './rooms/room-membership.service';
import { TypingRelay } from './typing/typing-relay.service';
import { UserRename } from './users/user-rename.service';
import { acknowledge } from './socket/acknowledge';
import { RateLimited } from './socket/rate-limited.decorator';
import { releaseHandshake } from './socket/release-handshake';
import { socketAuth } from './socket/socket-auth';
import { LocalSockets } from './socket/local-sockets';
import type { ChatServer, ChatSocket } from './socket/socket-state';

/**
 * The Socket.IO edge of PROTOCOL.md. Handlers parse their payload and make one service call;
 * `acknowledge` answers exactly once and turns every failure into a coded error. `@RateLimited`
 * events are counted per user in Redis first; `message:send` is not (its per-socket budget,
 * SendRate, is kept in memory: no Redis round trip on the hot path).
 */
@WebSocketGateway()
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  private readonly logger = new Logger(ChatGateway.name);
  @WebSocketServer() private server!: ChatServer;

  constructor(
    private readonly tokens: TokenService,
    private readonly sockets: LocalSockets,
    private readonly typingRelay: TypingRelay,
    private readonly renames: UserRename,
    private readonly users: UsersRepository,
    private readonly bans: UserBans,
    private readonly heartbeat: ReplicaHeartbeat,
    private readonly rooms: RoomDirectory,
    private readonly views: RoomViews,
    private readonly membership: RoomMembership,
    private readonly sender: MessageSendService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ChatMetrics,
  ) {}

  afterInit(server: ChatServer): void {
    server.use(socketAuth(this.tokens, this.users, this.bans));
    this.sockets.attach(server);
  }

  /**
   * SIGTERM: leave presence cleanly, then close each client's transport. A closed transport (not a
   * server "disconnect", which socket.io-client does not retry) makes clients reconnect through
   * Nginx to another replica and recover with `since`. Redis is still open at this point.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const sockets = this.sockets.all();
    await Promise.allSettled(sockets.map((s) => this.membership.disconnected(s)));
    for (const socket of sockets) socket.conn.close();
    this.logger.log(`drained ${sockets.length} connection(s)`);
  }

  handleConnection(socket: ChatSocket): void {
    this.metrics.connections.inc();
    const { user, sessionId } = socket.data;
    releaseHandshake(socket);
    this.sockets.register(socket);
    this.heartbeat.sessionChanged(socket);
    socket.emit('session', { userId: user.id, username: user.username, sessionId, instance: this.config.instanceId });
  }

  handleDisconnect(socket: ChatSocket): void {
    if (!socket.data.user) return;
    this.metrics.connections.dec();
    this.heartbeat.sessionEnded(socket);
    void this.membership.disconnected(socket).catch((error: Error) => this.logger.warn(`cleanup failed: ${error.message}`));
  }

  @SubscribeMessage('room:create')
  @RateLimited('roomCreate')
  onRoomCreate(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      const { name } = parseInput(roomCreateSchema, body);
      return { room: await this.rooms.create(name, socket.data.user) };
    });
  }

  @SubscribeMessage('room:join')
  @RateLimited('roomJoin')
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
      () => {
        goLive?.();
        this.heartbeat.sessionChanged(socket);
      },
    );
  }

  @SubscribeMessage('room:leave')
  onRoomLeave(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      await this.membership.leave(socket, parseInput(roomLeaveSchema, body).roomId);
      this.heartbeat.sessionChanged(socket);
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
  @RateLimited('typing')
  onTyping(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      await this.typingRelay.typing(socket, parseInput(typingSchema, body));
      return {};
    });
  }

  @SubscribeMessage('user:rename')
  @RateLimited('userRename')
  onUserRename(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => ({
      user: await this.renames.rename(socket, parseInput(userRenameSchema, body).username),
    }));
  }

  @SubscribeMessage('rooms:list')
  onRoomsList(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown, @Ack() ack: unknown): Promise<void> {
    return acknowledge(socket, ack, async () => {
      parseInput(roomsListSchema, body ?? {});
      return { rooms: await this.views.list() };
    });
  }
}

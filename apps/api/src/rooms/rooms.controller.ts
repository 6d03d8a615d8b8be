import { Controller, Get, Inject, Param, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, historyQuerySchema, LIMITS, parseInput, roomIdSchema, type HistoryPage, type Room, type RoomStats } from '@app/contracts';
import { RoomViews } from '@app/rooms';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { RateLimited } from '../http/rate-limited.decorator';
import { StoreAdmissionInterceptor } from '../http/store-admission.interceptor';
import { ApiRoute, USER_TOKEN } from '../openapi/api-route.decorator';
import { queryParameters } from '../openapi/json-schema';
import { HistoryPages } from './history-pages.service';

const TOKEN_REFUSED = 'no bearer token, or one that is malformed, expired or signed with another secret';
const NO_SUCH_ROOM = 'no room has this id';
const OVER_READ_LIMIT = "over this user's REST read budget (RATE_LIMIT_REST_READS_PER_USER)";
const STORE_UNAVAILABLE = 'the store or Redis is down or too slow, or the store is busy (API_STORE_CONCURRENCY reads running and API_STORE_QUEUE waiting)';
const ROOM_ID = { schema: roomIdSchema, description: 'a room id (an id of another form is answered 404)' };

@Controller('rooms')
@UseGuards(BearerAuthGuard)
// Every route here reads the store: bounded together, the excess shed with 503 (StoreAdmission).
// Each is also rate limited per user (@RateLimited, a guard: it runs before the store is queued for).
@UseInterceptors(StoreAdmissionInterceptor)
@ApiTags('rooms')
@ApiBearerAuth(USER_TOKEN)
export class RoomsController {
  constructor(
    private readonly views: RoomViews,
    private readonly history: HistoryPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @RateLimited('restReads')
  @ApiRoute({
    summary: 'Every room',
    ok: { schema: 'RoomList', description: 'the rooms' },
    errors: { 401: TOKEN_REFUSED, 429: OVER_READ_LIMIT, 503: STORE_UNAVAILABLE },
  })
  async list(): Promise<{ rooms: Room[] }> {
    return { rooms: await this.views.list() };
  }

  @Get(':roomId')
  @RateLimited('restReads')
  @ApiRoute({
    summary: 'One room, with its statistics',
    params: { roomId: ROOM_ID },
    ok: { schema: 'RoomAnswer', description: 'the room' },
    errors: { 401: TOKEN_REFUSED, 404: NO_SUCH_ROOM, 429: OVER_READ_LIMIT, 503: STORE_UNAVAILABLE },
  })
  async get(@Param('roomId') roomId: string): Promise<{ room: Room & RoomStats }> {
    return { room: await this.views.withStats(this.roomId(roomId)) };
  }

  /** History paging (PROTOCOL.md): before / after / newest, always oldest first. */
  @Get(':roomId/messages')
  @RateLimited('restReads')
  @ApiRoute({
    summary: "A page of a room's history, oldest first",
    description: 'Without a cursor: the newest messages. Page back with `before` = the first seq of a page, forward with `after` = its last.',
    params: { roomId: ROOM_ID },
    query: queryParameters(historyQuerySchema, {
      limit: `messages in the page (default: HISTORY_PAGE_SIZE, ${LIMITS.historyLimitDefault} unless configured)`,
      before: 'the `limit` newest messages with a smaller seq (not with `after`)',
      after: 'the `limit` oldest messages with a larger seq (not with `before`)',
    }),
    ok: { schema: 'HistoryPage', description: 'the page' },
    errors: {
      400: '`limit` is not an integer from 1 to 100, `before` or `after` is not a non-negative integer, both are given, or another parameter is',
      401: TOKEN_REFUSED,
      404: NO_SUCH_ROOM,
      429: OVER_READ_LIMIT,
      503: STORE_UNAVAILABLE,
    },
  })
  async messages(@Param('roomId') roomId: string, @Query() query: unknown): Promise<HistoryPage> {
    const { limit, before, after } = parseInput(historyQuerySchema, query);
    return this.history.page(this.roomId(roomId), { limit: limit ?? this.config.chat.historyPageSize, before, after });
  }

  private roomId(raw: string): string {
    if (!roomIdSchema.safeParse(raw).success) throw new ChatError('not_found', `room ${raw.slice(0, 64)} does not exist`);
    return raw;
  }
}

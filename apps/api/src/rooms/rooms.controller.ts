import { Controller, Get, Inject, Param, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ChatError, historyQuerySchema, parseInput, roomIdSchema, type HistoryPage, type Room, type RoomStats } from '@app/contracts';
import { RoomViews } from '@app/rooms';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { RateLimited } from '../http/rate-limited.decorator';
import { StoreAdmissionInterceptor } from '../http/store-admission.interceptor';
import { HistoryPages } from './history-pages.service';

@Controller('rooms')
@UseGuards(BearerAuthGuard)
// Every route here reads the store: bounded together, the excess shed with 503 (StoreAdmission).
// Each is also rate limited per user (@RateLimited, a guard: it runs before the store is queued for).
@UseInterceptors(StoreAdmissionInterceptor)
export class RoomsController {
  constructor(
    private readonly views: RoomViews,
    private readonly history: HistoryPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @RateLimited('restReads')
  async list(): Promise<{ rooms: Room[] }> {
    return { rooms: await this.views.list() };
  }

  @Get(':roomId')
  @RateLimited('restReads')
  async get(@Param('roomId') roomId: string): Promise<{ room: Room & RoomStats }> {
    return { room: await this.views.withStats(this.roomId(roomId)) };
  }

  /** History paging (PROTOCOL.md): before / after / newest, always oldest first. */
  @Get(':roomId/messages')
  @RateLimited('restReads')
  async messages(@Param('roomId') roomId: string, @Query() query: unknown): Promise<HistoryPage> {
    const { limit, before, after } = parseInput(historyQuerySchema, query);
    return this.history.page(this.roomId(roomId), { limit: limit ?? this.config.chat.historyPageSize, before, after });
  }

  private roomId(raw: string): string {
    if (!roomIdSchema.safeParse(raw).success) throw new ChatError('not_found', `room ${raw.slice(0, 64)} does not exist`);
    return raw;
  }
}

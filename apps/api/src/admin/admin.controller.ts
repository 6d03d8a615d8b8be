import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RateLimited } from '../http/rate-limited.decorator';
import { ADMIN_TOKEN, ApiRoute } from '../openapi/api-route.decorator';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminEnabledGuard } from './admin-enabled.guard';
import { AdminLogin } from './admin-login.service';
import { AdminViews } from './admin-views.service';

const DISABLED = 'ADMIN_PASSWORD is not set, so admin is off (Retry-After: 3600)';
const disabledOrDown = (what: string) => `${DISABLED}; or ${what} did not answer (with Retry-After)`;
/** The answers every admin route but login shares (AdminAuthGuard). */
const GUARDED = {
  401: 'no bearer token, or one that is malformed, expired or signed with another secret',
  403: 'the token is not an admin token',
} as const;
const USER_ID = { schema: z.string(), description: 'a user id (a client is a user with all their sessions)' };
const ROOM_ID = { schema: z.string(), description: 'a room id' };

/** PROTOCOL.md "Admin": the one route that needs no token; password guessing is rate limited. */
@Controller('admin')
@UseGuards(AdminEnabledGuard)
@ApiTags('admin')
export class AdminLoginController {
  constructor(private readonly login: AdminLogin) {}

  @Post('login')
  @HttpCode(200)
  @RateLimited('adminLogin', 'adminLoginUsername')
  @ApiRoute({
    summary: 'Sign in as the admin (ADMIN_USERNAME / ADMIN_PASSWORD)',
    body: 'AdminLoginRequest',
    ok: { schema: 'SignedIn', description: 'an admin token and the admin user' },
    errors: {
      400: 'a field is missing, too long or unknown, or the body is not JSON',
      401: 'wrong username or password',
      413: 'the body is over 64 kB',
      429: 'too many tries from this address (RATE_LIMIT_ADMIN_LOGIN_PER_IP) or for this username (RATE_LIMIT_ADMIN_LOGIN_PER_USERNAME)',
      503: DISABLED,
    },
  })
  signIn(@Body() body: unknown) {
    return this.login.login(body);
  }
}

/** PROTOCOL.md "Admin": every other route needs a token with the admin role. */
@Controller('admin')
@UseGuards(AdminAuthGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_TOKEN)
export class AdminController {
  constructor(private readonly views: AdminViews) {}

  @Get('servers')
  @ApiRoute({
    summary: 'The gateway replicas, as their last heartbeat reported them',
    ok: { schema: 'ServerList', description: 'the replicas, by instance name' },
    errors: { ...GUARDED, 503: disabledOrDown('Redis') },
  })
  async servers() {
    return { servers: await this.views.servers() };
  }

  @Get('clients')
  @ApiRoute({
    summary: 'The connected users, each with all their sessions on all replicas',
    ok: { schema: 'AdminClientList', description: 'the connected users, by username' },
    errors: { ...GUARDED, 503: disabledOrDown('Redis') },
  })
  async clients() {
    return { clients: await this.views.clients() };
  }

  @Get('clients/:id')
  @ApiRoute({
    summary: 'One connected user and their sessions',
    params: { id: USER_ID },
    ok: { schema: 'AdminClientAnswer', description: 'the user and their sessions' },
    errors: { ...GUARDED, 404: 'the user has no connected session', 503: disabledOrDown('Redis') },
  })
  async client(@Param('id') id: string) {
    return { client: await this.views.client(id) };
  }

  @Delete('clients/:id')
  @ApiRoute({
    summary: 'Disconnect every socket of the user, on every replica (no automatic reconnect)',
    params: { id: USER_ID },
    ok: { schema: 'Disconnected', description: 'how many sessions were told to disconnect' },
    errors: { ...GUARDED, 404: 'the user has no connected session', 503: disabledOrDown('Redis') },
  })
  kick(@Param('id') id: string) {
    return this.views.kick(id);
  }

  @Post('clients/:id/ban')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Ban a user (connected or not): disconnected everywhere, refused at login (403) and handshake until it ends',
    params: { id: USER_ID },
    body: 'BanRequest',
    ok: { schema: 'Ban', description: 'the ban and when it ends' },
    errors: {
      ...GUARDED,
      400: '`seconds` is not an integer from 1 to 31536000, a field is unknown, or the body is not JSON',
      413: 'the body is over 64 kB',
      503: disabledOrDown('Redis'),
    },
  })
  ban(@Param('id') id: string, @Body() body: unknown) {
    return this.views.ban(id, body);
  }

  @Delete('clients/:id/ban')
  @ApiRoute({
    summary: "Lift a user's ban",
    params: { id: USER_ID },
    ok: { schema: 'Empty', description: 'lifted' },
    errors: { ...GUARDED, 404: 'the user is not banned', 503: disabledOrDown('Redis') },
  })
  async unban(@Param('id') id: string) {
    await this.views.unban(id);
    return {};
  }

  @Get('rooms')
  @ApiRoute({
    summary: 'Every room',
    ok: { schema: 'RoomList', description: 'the rooms' },
    errors: { ...GUARDED, 503: disabledOrDown('the store or Redis') },
  })
  async rooms() {
    return { rooms: await this.views.rooms() };
  }

  @Get('rooms/:id')
  @ApiRoute({
    summary: 'One room, with its statistics and members',
    params: { id: ROOM_ID },
    ok: { schema: 'AdminRoomAnswer', description: 'the room' },
    errors: { ...GUARDED, 404: 'no room has this id', 503: disabledOrDown('the store or Redis') },
  })
  async room(@Param('id') id: string) {
    return { room: await this.views.room(id) };
  }

  @Delete('rooms/:id')
  @ApiRoute({
    summary: 'Remove a room: its members get `room:deleted`; its stored messages are kept',
    params: { id: ROOM_ID },
    ok: { schema: 'Empty', description: 'removed' },
    errors: { ...GUARDED, 404: 'no room has this id', 503: disabledOrDown('the store') },
  })
  async deleteRoom(@Param('id') id: string) {
    await this.views.deleteRoom(id);
    return {};
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { RateLimited } from '../http/rate-limited.decorator';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminEnabledGuard } from './admin-enabled.guard';
import { AdminLogin } from './admin-login.service';
import { AdminViews } from './admin-views.service';

/** PROTOCOL.md "Admin": the one route that needs no token; password guessing is rate limited. */
@Controller('admin')
@UseGuards(AdminEnabledGuard)
export class AdminLoginController {
  constructor(private readonly login: AdminLogin) {}

  @Post('login')
  @HttpCode(200)
  @RateLimited('adminLogin', 'adminLoginUsername')
  signIn(@Body() body: unknown) {
    return this.login.login(body);
  }
}

/** PROTOCOL.md "Admin": every other route needs a token with the admin role. */
@Controller('admin')
@UseGuards(AdminAuthGuard)
export class AdminController {
  constructor(private readonly views: AdminViews) {}

  @Get('servers')
  async servers() {
    return { servers: await this.views.servers() };
  }

  @Get('clients')
  async clients() {
    return { clients: await this.views.clients() };
  }

  @Get('clients/:id')
  async client(@Param('id') id: string) {
    return { client: await this.views.client(id) };
  }

  @Delete('clients/:id')
  kick(@Param('id') id: string) {
    return this.views.kick(id);
  }

  @Post('clients/:id/ban')
  @HttpCode(200)
  ban(@Param('id') id: string, @Body() body: unknown) {
    return this.views.ban(id, body);
  }

  @Delete('clients/:id/ban')
  async unban(@Param('id') id: string) {
    await this.views.unban(id);
    return {};
  }

  @Get('rooms')
  async rooms() {
    return { rooms: await this.views.rooms() };
  }

  @Get('rooms/:id')
  async room(@Param('id') id: string) {
    return { room: await this.views.room(id) };
  }

  @Delete('rooms/:id')
  async deleteRoom(@Param('id') id: string) {
    await this.views.deleteRoom(id);
    return {};
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminLogin } from './admin-login.service';
import { AdminViews } from './admin-views.service';

/** PROTOCOL.md "Admin": every route but login needs a token with the admin role. */
@Controller('admin')
export class AdminController {
  constructor(
    private readonly login: AdminLogin,
    private readonly views: AdminViews,
  ) {}

  @Post('login')
  @HttpCode(200)
  signIn(@Body() body: unknown) {
    const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    return this.login.login(username, password);
  }

  @Get('servers')
  @UseGuards(AdminAuthGuard)
  async servers() {
    return { servers: await this.views.servers() };
  }

  @Get('clients')
  @UseGuards(AdminAuthGuard)
  async clients() {
    return { clients: await this.views.clients() };
  }

  @Get('clients/:id')
  @UseGuards(AdminAuthGuard)
  async client(@Param('id') id: string) {
    return { client: await this.views.client(id) };
  }

  @Delete('clients/:id')
  @UseGuards(AdminAuthGuard)
  kick(@Param('id') id: string) {
    return this.views.kick(id);
  }

  @Get('rooms')
  @UseGuards(AdminAuthGuard)
  async rooms() {
    return { rooms: await this.views.rooms() };
  }

  @Get('rooms/:id')
  @UseGuards(AdminAuthGuard)
  async room(@Param('id') id: string) {
    return { room: await this.views.room(id) };
  }

  @Delete('rooms/:id')
  @UseGuards(AdminAuthGuard)
  async deleteRoom(@Param('id') id: string) {
    await this.views.deleteRoom(id);
    return {};
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { User } from '@app/contracts';
import { LoginService } from './login.service';

@Controller('auth')
export class AuthController {
  constructor(private readonly logins: LoginService) {}

  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown): Promise<{ token: string; user: User }> {
    return this.logins.login(body);
  }
}

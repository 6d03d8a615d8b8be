import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { User } from '@app/contracts';
import { RateLimited } from '../http/rate-limited.decorator';
import { LoginService } from './login.service';

@Controller('auth')
export class AuthController {
  constructor(private readonly logins: LoginService) {}

  @Post('login')
  @HttpCode(200)
  @RateLimited('login')
  login(@Body() body: unknown): Promise<{ token: string; user: User }> {
    return this.logins.login(body);
  }
}

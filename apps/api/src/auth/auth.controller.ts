import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { User } from '@app/contracts';
import { RateLimited } from '../http/rate-limited.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { LoginService } from './login.service';

@Controller('auth')
@ApiTags('auth')
export class AuthController {
  constructor(private readonly logins: LoginService) {}

  @Post('login')
  @HttpCode(200)
  @RateLimited('login')
  @ApiRoute({
    summary: 'Sign in with a username (no password)',
    description: 'The same username always maps to the same user id. The token expires (JWT_TTL_SECONDS, default 24 h).',
    body: 'LoginRequest',
    ok: { schema: 'SignedIn', description: 'a user token and the user' },
    errors: {
      400: 'the username is not 1–32 letters, digits, `_`, `-`, `.` and inner spaces; an unknown field; a body that is not JSON',
      403: 'the user is banned (the message says until when)',
      413: 'the body is over 64 kB',
      429: 'too many sign-ins from this address (RATE_LIMIT_LOGIN_PER_IP)',
      503: 'the user store or Redis did not answer; retry after Retry-After',
    },
  })
  login(@Body() body: unknown): Promise<{ token: string; user: User }> {
    return this.logins.login(body);
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { TokenService } from '@app/auth';
import { loginSchema, parseInput, type User } from '@app/contracts';
import { UsersRepository } from '@app/mongo';
import { callDependency } from '@app/resilience';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
  ) {}

  /** Username-only identity (as in the reference systems): the same name is always the same user. */
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown): Promise<{ token: string; user: User }> {
    const { username } = parseInput(loginSchema, body);
    const user = await callDependency('mongo', () => this.users.findOrCreate(username), { what: 'signing in' });
    return { token: this.tokens.sign(user), user };
  }
}

import { Injectable } from '@nestjs/common';
import { TokenService } from '@app/auth';
import { ChatError, loginSchema, parseInput, type User } from '@app/contracts';
import { UsersRepository } from '@app/mongo';
import { UserBans } from '@app/redis';
import { callDependency } from '@app/resilience';

/** Username-only identity (as in the reference systems): the same name is always the same user. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersRepository,
    private readonly bans: UserBans,
    private readonly tokens: TokenService,
  ) {}

  async login(body: unknown): Promise<{ token: string; user: User }> {
    const { username } = parseInput(loginSchema, body);
    const user = await callDependency('mongo', () => this.users.findOrCreate(username), { what: 'signing in' });
    const banned = await callDependency('redis', () => this.bans.bannedUntil(user.id), { what: 'reading bans' });
    if (banned) throw new ChatError('forbidden', `${username} is banned until ${banned.toISOString()}`);
    return { token: this.tokens.sign(user), user };
  }
}

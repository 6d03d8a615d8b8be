import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TokenService } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { adminLoginSchema, ChatError, parseInput, type User } from '@app/contracts';
import { assertAdminEnabled } from './admin-enabled';

/** Admin credentials come only from the environment; without ADMIN_PASSWORD admin is disabled. */
@Injectable()
export class AdminLogin {
  constructor(
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Disabled admin answers first (PROTOCOL.md: every /admin route is 503 then, whatever is sent). */
  login(body: unknown): { token: string; user: User } {
    const adminPassword = assertAdminEnabled(this.config);
    const { adminUsername } = this.config.auth;
    const { username, password } = parseInput(adminLoginSchema, body);
    // Compared as hashes: equal lengths for timingSafeEqual, and no early exit on the first byte.
    const same = (a: string, b: string) => timingSafeEqual(sha256(a), sha256(b));
    if (!(same(username, adminUsername) && same(password, adminPassword))) {
      throw new ChatError('unauthorized', 'wrong admin credentials');
    }
    const user = { id: `admin:${adminUsername}`, username: adminUsername };
    return { token: this.tokens.sign(user, 'admin'), user };
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

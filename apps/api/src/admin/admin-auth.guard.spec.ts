import type { ExecutionContext } from '@nestjs/common';
import { TokenService } from '@app/auth';
import { loadConfig } from '@app/config';
import { BearerAuthGuard } from '../http/bearer-auth.guard';
import { AdminAuthGuard } from './admin-auth.guard';

const SECRET = 'test-secret-of-enough-length';
const tokens = new TokenService(loadConfig({ JWT_SECRET: SECRET }));
const adminToken = tokens.sign({ id: 'admin:admin', username: 'admin' }, 'admin');
const userToken = tokens.sign({ id: 'u1', username: 'alice' });

/** An HTTP request with the given Authorization header, as Nest hands it to a guard (stubbed context). */
function requestWith(authorization?: string): ExecutionContext {
  const request = { headers: authorization ? { authorization } : {} };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

const guardWith = (env: Record<string, string>) => new AdminAuthGuard(new BearerAuthGuard(tokens), loadConfig({ JWT_SECRET: SECRET, ...env }));

describe('AdminAuthGuard (stubbed request)', () => {
  it('answers unavailable (with a Retry-After, as every 503) without an admin password, whatever token is shown', () => {
    const sut = guardWith({});
    for (const header of [`Bearer ${adminToken}`, `Bearer ${userToken}`, undefined]) {
      expect(() => sut.canActivate(requestWith(header))).toThrow(expect.objectContaining({ code: 'unavailable', retryAfterMs: 3_600_000 }));
    }
  });

  it('lets the admin role in when an admin password is set, and refuses others', () => {
    const sut = guardWith({ ADMIN_PASSWORD: 'test-only-admin-password' });
    expect(sut.canActivate(requestWith(`Bearer ${adminToken}`))).toBe(true);
    expect(() => sut.canActivate(requestWith(`Bearer ${userToken}`))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => sut.canActivate(requestWith())).toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });
});

import { loadConfig } from '@app/config';
import { TokenService } from './token.service';

const alice = { id: 'u_1', username: 'alice' };

describe('TokenService', () => {
  const sut = new TokenService(loadConfig({ JWT_SECRET: 'test-secret-of-enough-length' }));

  it('round-trips the identity', () => {
    expect(sut.verify(sut.sign(alice))).toEqual({ user: alice, role: 'user' });
  });

  it('refuses missing, malformed and forged tokens', () => {
    const other = new TokenService(loadConfig({ JWT_SECRET: 'another-secret-entirely' }));
    expect(sut.verify(undefined)).toBeUndefined();
    expect(sut.verify('')).toBeUndefined();
    expect(sut.verify('not.a.jwt')).toBeUndefined();
    expect(sut.verify({ token: 'x' })).toBeUndefined();
    expect(sut.verify(other.sign(alice))).toBeUndefined();
  });

  it('refuses an expired token', () => {
    const shortLived = new TokenService(loadConfig({ JWT_SECRET: 'test-secret-of-enough-length', JWT_TTL_SECONDS: '1' }));
    const token = shortLived.sign(alice);
    const realNow = Date.now;
    Date.now = () => realNow() + 5_000;
    try {
      expect(shortLived.verify(token)).toBeUndefined();
    } finally {
      Date.now = realNow;
    }
  });
});

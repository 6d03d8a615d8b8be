import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { User } from '@app/contracts';

export type Role = 'user' | 'admin';

export interface Identity {
  user: User;
  role: Role;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string().min(1),
  role: z.enum(['user', 'admin']),
});

/**
 * Signs and verifies the JWTs of PROTOCOL.md (HS256, secret and lifetime from the environment).
 * The token is the only source of who a socket or request is: a payload never names its sender.
 */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.jwt = new JwtService({
      // A KeyObject, not the string: given a string, jsonwebtoken first tries it as a PEM public
      // key (createPublicKey throws) on every verify, which was a third of the api's CPU per request.
      secret: createSecretKey(Buffer.from(config.auth.jwtSecret)),
      signOptions: { algorithm: 'HS256', expiresIn: config.auth.jwtTtlSeconds, issuer: 'chatstream' },
      verifyOptions: { algorithms: ['HS256'], issuer: 'chatstream' },
    });
  }

  sign(user: User, role: Role = 'user'): string {
    return this.jwt.sign({ sub: user.id, name: user.username, role });
  }

  /** The identity in a valid token; undefined for a missing, malformed, forged or expired one. */
  verify(token: unknown): Identity | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return undefined;
    try {
      const claims = claimsSchema.parse(this.jwt.verify(token));
      return { user: { id: claims.sub, username: claims.name }, role: claims.role };
    } catch {
      return undefined;
    }
  }
}

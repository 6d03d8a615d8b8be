import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import type { DependencyProbe } from '@app/observability';
import { MONGO_DB } from './mongo.tokens';

@Injectable()
export class MongoProbe implements DependencyProbe {
  readonly name = 'mongodb';
  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  async probe(): Promise<void> {
    await this.db.command({ ping: 1 });
  }
}

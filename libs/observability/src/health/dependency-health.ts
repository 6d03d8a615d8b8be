import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

/** A named readiness probe of one dependency: resolves when it answers, throws when it does not. */
export interface DependencyProbe {
  readonly name: string;
  probe(): Promise<void>;
}

export const DEPENDENCY_PROBES = Symbol('DEPENDENCY_PROBES');

/** Turns probes into terminus results, bounding each by a timeout so /health never hangs. */
@Injectable()
export class DependencyHealth {
  constructor(private readonly indicators: HealthIndicatorService) {}

  async check(probe: DependencyProbe, timeoutMs = 3000): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(probe.name);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe.probe(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}

import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DEPENDENCY_PROBES, DependencyHealth, type DependencyProbe } from './dependency-health';

/**
 * `/health` answers readiness: 200 when every dependency this service uses answers, 503 naming
 * the ones that do not. `/health/live` only says the process is up (for restart decisions).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly dependencies: DependencyHealth,
    @Inject(DEPENDENCY_PROBES) private readonly probes: DependencyProbe[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @HealthCheck()
  readiness() {
    return this.health.check(this.probes.map((p) => () => this.dependencies.check(p)));
  }

  @Get('live')
  liveness() {
    return { status: 'ok', instance: this.config.instanceId, uptimeSeconds: Math.round(process.uptime()) };
  }
}

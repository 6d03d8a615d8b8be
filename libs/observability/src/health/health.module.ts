import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DEPENDENCY_PROBES, DependencyHealth, type DependencyProbe } from './dependency-health';
import { HealthController } from './health.controller';

type ProbeClass = new (...args: never[]) => DependencyProbe;

@Module({})
export class HealthModule {
  /** Serves /health with one check per probe class (each provided by its own lib). */
  static forProbes(probes: ProbeClass[]): DynamicModule {
    const all: Provider = {
      provide: DEPENDENCY_PROBES,
      inject: probes,
      useFactory: (...instances: DependencyProbe[]) => instances,
    };
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [...probes, all, DependencyHealth],
    };
  }
}

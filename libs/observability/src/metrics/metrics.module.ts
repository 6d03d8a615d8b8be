import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ChatMetrics } from './chat-metrics';
import { HttpMetricsInterceptor } from './http-metrics.interceptor';
import { MetricsController } from './metrics.controller';

/** `/metrics` on every service (Prometheus text format). */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [ChatMetrics, { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }],
  exports: [ChatMetrics],
})
export class MetricsModule {}

import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { ChatError, HTTP_STATUS } from '@app/contracts';
import { ChatMetrics } from './chat-metrics';

/** Counts answered HTTP requests by method and status (errors are counted by status too). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: ChatMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const method = http.getRequest<{ method: string }>().method;
    const count = (status: number) => this.metrics.httpRequests.inc({ method, status: String(status) });
    return next.handle().pipe(
      tap({
        next: () => count(http.getResponse<{ statusCode: number }>().statusCode),
        error: (error: { status?: number; getStatus?: () => number }) =>
          count(error instanceof ChatError ? HTTP_STATUS[error.code] : (error.getStatus?.() ?? error.status ?? 500)),
      }),
    );
  }
}

import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { StoreAdmission } from './store-admission';

/** Runs a handler that reads the store inside the api's StoreAdmission bound. */
@Injectable()
export class StoreAdmissionInterceptor implements NestInterceptor {
  constructor(private readonly admission: StoreAdmission) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.admission.run(() => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}

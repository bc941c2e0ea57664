import { Inject, Injectable } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import { WEBHOOK_DISPATCHER } from './dispatcher.provider';
import { SendOutcome, SendRequest, sendWebhook } from './webhook-sender';

/** The worker's outbound webhook client: one guarded (or proxied) connection pool for every send. */
@Injectable()
export class WebhookClient {
  constructor(@Inject(WEBHOOK_DISPATCHER) private readonly http: Dispatcher) {}

  send(req: SendRequest): Promise<SendOutcome> {
    return sendWebhook(this.http, req);
  }
}

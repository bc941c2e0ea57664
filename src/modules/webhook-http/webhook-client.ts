import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { ClientCertDispatchers } from './client-cert-dispatchers';
import { WEBHOOK_DISPATCHER } from './dispatcher.provider';
import { SendOutcome, SendRequest, sendWebhook } from './webhook-sender';

/**
 * The worker's outbound webhook client: one guarded (or proxied) connection pool for every
 * send, and a pool of its own for each endpoint that presents a client certificate.
 */
@Injectable()
export class WebhookClient implements OnApplicationShutdown {
  private readonly withCertificates: ClientCertDispatchers;

  constructor(
    @Inject(WEBHOOK_DISPATCHER) private readonly http: Dispatcher,
    @Inject(CARAVAN_CONFIG) config: CaravanConfig,
  ) {
    this.withCertificates = new ClientCertDispatchers(config);
  }

  send(req: SendRequest): Promise<SendOutcome> {
    const c = req.clientCertificate;
    return sendWebhook(c ? this.withCertificates.get(c.owner, c.version, c) : this.http, req);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.withCertificates.close();
  }
}

import { Module } from '@nestjs/common';
import { dispatcherCloserProvider, webhookDispatcherProvider } from './dispatcher.provider';
import { WebhookClient } from './webhook-client';

/**
 * The worker's one outbound HTTP client (deliveries and meta events alike): keep-alive
 * pools, the SSRF policy at dial time or CONNECT tunnels through the egress proxy.
 */
@Module({
  providers: [webhookDispatcherProvider, dispatcherCloserProvider, WebhookClient],
  exports: [WebhookClient],
})
export class WebhookHttpModule {}

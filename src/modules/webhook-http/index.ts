export { WebhookHttpModule } from './webhook-http.module';
export { WebhookClient } from './webhook-client';
export { createWebhookDispatcher } from './dispatcher.provider';
export type { ClientCertificate } from './dispatcher.provider';
export { sendWebhook, USER_AGENT } from './webhook-sender';
export type { SendOutcome, SendRequest } from './webhook-sender';

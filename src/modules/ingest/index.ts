export { IngestModule } from './ingest.module';
export { IngestController } from './ingest.controller';
export { IngestGate } from './ingest-gate';
export { installIngestHooks, takesRawBody } from './ingest-http';
export { ReceiveWebhook, SOURCE_ID_HEADER } from './receive-webhook';
export type { InboundWebhook, WebhookAnswer } from './receive-webhook';

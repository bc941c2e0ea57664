import { signConvoyVersions, signStandard } from '../../../../libs/webhooks';
import type { EndpointEntity } from '../../endpoints';
import type { ProjectEntity } from '../../projects';
import { USER_AGENT } from '../../webhook-http';

export interface DeliveryHeaderInput {
  project: ProjectEntity;
  endpoint: EndpointEntity;
  /** plaintext signing secrets, newest first */
  secrets: string[];
  authHeaders: Record<string, string>;
  deliveryId: string;
  eventId: string;
  eventType: string;
  customHeaders: Record<string, string>;
  payload: string;
  now: Date;
}

/** Sent on every attempt of a delivery, whatever the scheme, so receivers can dedupe. */
export const DELIVERY_ID_HEADER = 'x-caravan-delivery-id';

/**
 * The headers of one attempt. Every attempt of a delivery carries the same delivery id
 * (and `webhook-id` in Standard Webhooks mode); the signature is computed afresh with the
 * attempt's timestamp over the exact stored payload, with every active secret.
 */
export function buildDeliveryHeaders(i: DeliveryHeaderInput): Record<string, string> {
  const timestamp = Math.floor(i.now.getTime() / 1000);
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.customHeaders)) h[k.toLowerCase()] = v;
  Object.assign(h, lower(i.authHeaders));
  h['content-type'] = 'application/json';
  h['user-agent'] = USER_AGENT;
  h[DELIVERY_ID_HEADER] = i.deliveryId;
  const config = i.project.config;
  if (config.signature_scheme === 'standard') {
    h['webhook-id'] = i.deliveryId;
    h['webhook-timestamp'] = String(timestamp);
    h['webhook-signature'] = signStandard({ id: i.deliveryId, timestamp, payload: i.payload, secrets: i.secrets });
    return h;
  }
  h[config.signature.header.toLowerCase()] = signConvoyVersions({
    payload: i.payload,
    // the signer wants oldest first: simple mode signs with the newest secret only
    secrets: [...i.secrets].reverse(),
    versions: config.signature.versions.length ? config.signature.versions : [{ hash: 'SHA256', encoding: 'hex' }],
    advanced: i.endpoint.advancedSignatures,
    timestamp,
  });
  if (config.add_event_id_trace_headers) {
    h['x-convoy-eventdelivery-id'] = i.deliveryId;
    h['x-convoy-event-id'] = i.eventId;
  }
  h['x-convoy-event-type'] = i.eventType;
  return h;
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

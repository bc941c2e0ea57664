import { isValidUtf8 } from '../../common/http/json-guard';
import type { IngestEventCommand } from '../events';
import { sourceBodyProblem } from '../functions';

/** Convoy's header (or attribute) naming how a message is routed. */
export const MESSAGE_TYPE_HEADER = 'x-convoy-message-type';
/** The header an event keeps with the broker's id of its message. */
export const BROKER_MESSAGE_ID_HEADER = 'x-broker-message-id';

const MESSAGE_TYPES = ['single', 'fanout', 'broadcast'] as const;

/** Convoy's broker message: what a message (after the source's body function) must be. */
export interface ConvoyMessage {
  endpoint_id?: string | null;
  owner_id?: string | null;
  event_type: string;
  data: unknown;
  custom_headers?: Record<string, string> | null;
  idempotency_key?: string | null;
}

/** A message that can never become an event, however often it is delivered. */
export class MessageRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageRejected';
  }
}

export function parseBody(body: Buffer): unknown {
  if (!isValidUtf8(body)) throw new MessageRejected('the message body is not valid UTF-8');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new MessageRejected(`the message body is not JSON: ${(e as Error).message}`);
  }
}

/** The message as Convoy's contract: an object of its known fields, an event type and data. */
export function asConvoyMessage(value: unknown): ConvoyMessage {
  const problem = sourceBodyProblem(value);
  if (problem) throw new MessageRejected(problem);
  return value as ConvoyMessage;
}

/**
 * The headers an event keeps, as Convoy merges them: the broker's headers (lower-cased)
 * win over the message's custom_headers, the message type defaults to `single`, and the
 * broker's message id is kept as x-broker-message-id.
 */
export function mergeHeaders(
  broker: Record<string, string>,
  custom: Record<string, string> | null | undefined,
  messageId: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(broker)) out[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(custom ?? {})) {
    const lower = k.toLowerCase();
    if (!(lower in out)) out[lower] = v;
  }
  if (messageId !== undefined) out[BROKER_MESSAGE_ID_HEADER] = messageId;
  if (!(MESSAGE_TYPE_HEADER in out)) out[MESSAGE_TYPE_HEADER] = 'single';
  return out;
}

/** A header function's result as headers: an object of strings. */
export function asHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MessageRejected('the header function must return an object of header names to strings');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new MessageRejected(`the header function's value for ${JSON.stringify(k)} must be a string`);
  }
  return value as Record<string, string>;
}

/** The ingest command for a message: its target from the message type, the source and message id recorded. */
export function ingestCommand(
  source: { id: string; projectId: string },
  msg: ConvoyMessage,
  headers: Record<string, string>,
  messageId: string | undefined,
): IngestEventCommand {
  const type = headers[MESSAGE_TYPE_HEADER];
  if (!(MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new MessageRejected(`${JSON.stringify(type)} isn't a valid message type; ${MESSAGE_TYPE_HEADER} must be single, fanout or broadcast`);
  }
  let target: IngestEventCommand['target'];
  if (type === 'single') {
    if (!msg.endpoint_id) throw new MessageRejected('a single message needs an endpoint_id');
    target = { kind: 'endpoint', endpointId: msg.endpoint_id };
  } else if (type === 'fanout') {
    if (!msg.owner_id) throw new MessageRejected('a fanout message needs an owner_id');
    target = { kind: 'owner', ownerId: msg.owner_id };
  } else {
    target = { kind: 'broadcast' };
  }
  return {
    projectId: source.projectId,
    target,
    eventType: msg.event_type,
    payload: JSON.stringify(msg.data),
    data: msg.data,
    customHeaders: headers,
    idempotencyKey: msg.idempotency_key ?? undefined,
    brokerMessageId: messageId,
    sourceId: source.id,
  };
}

import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../../common/errors/domain-error';
import { isValidUtf8, validateCustomHeaders } from '../../common/http/json-guard';
import { IngestEvent } from '../events';
import type { ProjectEntity } from '../projects';
import {
  InboundBodyError,
  parseSelector,
  readInboundBody,
  RequestParts,
  selectScalar,
  selectValue,
  signsPayload,
  SourceEntity,
  SourcesService,
  verifyRequest,
} from '../sources';
import { IngestGuards } from './ingest-guards';

export interface InboundWebhook {
  source: SourceEntity;
  project: ProjectEntity;
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  query: Record<string, string | string[]>;
  path: string;
}

export type WebhookAnswer = { kind: 'custom'; body: string; contentType: string } | { kind: 'default'; message: string; bytes: number };

/** The source's own header naming it, as Convoy adds it to every incoming event. */
export const SOURCE_ID_HEADER = 'X-Convoy-Source-Id';

/**
 * An incoming webhook, from the bytes received to the stored event: verified on the raw
 * bytes first, then read (JSON, or a form as a flat object), its event type and
 * idempotency key taken from where the source says, and handed to {@link IngestEvent},
 * the one way in. It answers only after that commit.
 */
@Injectable()
export class ReceiveWebhook {
  constructor(
    private readonly sources: SourcesService,
    private readonly ingest: IngestEvent,
    private readonly guards: IngestGuards,
  ) {}

  async execute(req: InboundWebhook): Promise<WebhookAnswer> {
    const { source, project } = req;
    const verification = verifyRequest(source.provider, this.sources.open(source.verifier), { rawBody: req.rawBody, headers: req.headers });
    if (!verification.ok) throw verificationFailed();
    const replay = project.config.replay_attacks_prevention_enabled ? verification.replay : undefined;
    if (replay && !(await this.guards.firstSighting(source.id, replay.fingerprint, replay.ttlSeconds))) throw verificationFailed();
    try {
      return await this.store(req);
    } catch (e) {
      // the sender may retry what was not stored, with the same signature
      if (replay) await this.guards.forget(source.id, replay.fingerprint);
      throw e;
    }
  }

  private async store(req: InboundWebhook): Promise<WebhookAnswer> {
    const { source, project } = req;
    const { payload, data } = readPayload(req.headers['content-type'], req.rawBody);
    const parts: RequestParts = { headers: req.headers, query: req.query, body: data };
    const result = await this.ingest.execute({
      projectId: project.id,
      target: { kind: 'source', sourceId: source.id },
      eventType: eventTypeOf(source, parts),
      payload,
      data,
      customHeaders: forwardedHeaders(source, req.headers, project.config.signature.header),
      requestHeaders: flatHeaders(req.headers),
      requestQuery: req.query,
      requestPath: req.path,
      idempotencyKey: idempotencyKeyOf(source, parts),
    });
    if (source.customResponse.body !== '') {
      return { kind: 'custom', body: source.customResponse.body, contentType: source.customResponse.content_type || 'text/plain; charset=utf-8' };
    }
    return {
      kind: 'default',
      message: result.duplicate ? 'Duplicate event received, but will not be sent' : 'Event received',
      bytes: Buffer.byteLength(payload),
    };
  }
}

function verificationFailed() {
  return badRequest('verification_failed', 'Request verification failed');
}

function readPayload(contentType: string | undefined, raw: Buffer): { payload: Buffer; data: unknown } {
  let body;
  try {
    body = readInboundBody(contentType, raw);
  } catch (e) {
    if (e instanceof InboundBodyError) throw badRequest('invalid_body', e.message);
    throw e;
  }
  if (body.kind === 'form') return { payload: Buffer.from(JSON.stringify(body.fields)), data: body.fields };
  if (!isValidUtf8(body.raw)) throw badRequest('invalid_utf8', 'request body is not valid UTF-8');
  try {
    return { payload: body.raw, data: JSON.parse(body.raw.toString('utf8')) };
  } catch (e) {
    throw badRequest('invalid_json', `request body is not JSON: ${(e as Error).message}`);
  }
}

function eventTypeOf(source: SourceEntity, parts: RequestParts): string {
  if (source.eventTypeLocation === '') return source.maskId;
  const sel = parseSelector(source.eventTypeLocation);
  if (typeof sel === 'string') throw badRequest('invalid_event_type_location', sel);
  // settings refuse this already; a verifier changed since must not let unsigned parts through
  if (sel.place !== 'body' && signsPayload(source.provider, source.verifier.type)) {
    throw badRequest('invalid_event_type_location', 'event type location cannot use request headers or query parameters with payload signature verification');
  }
  const value = selectScalar(sel, parts);
  if (value === undefined) throw badRequest('event_type_not_found', `event type not found in request at ${source.eventTypeLocation}`);
  return value;
}

/**
 * Convoy's dedupe: a digest of the values the source's selectors point at. A request
 * where none of them is present has no key (otherwise every such request would be one
 * "duplicate").
 */
function idempotencyKeyOf(source: SourceEntity, parts: RequestParts): string | undefined {
  if (source.idempotencyKeys.length === 0) return undefined;
  const values = source.idempotencyKeys.map((k) => {
    const sel = parseSelector(k);
    return typeof sel === 'string' ? undefined : selectValue(sel, parts);
  });
  if (values.every((v) => v === undefined)) return undefined;
  return createHash('sha256')
    .update(JSON.stringify([source.id, ...values.map((v) => v ?? null)]))
    .digest('hex');
}

/**
 * The headers an event keeps and sends with its deliveries: those the source names in
 * forward_headers (a header the gateway sets itself, or one that could not be sent, is
 * left out) and the source's mask as X-Convoy-Source-Id.
 */
function forwardedHeaders(source: SourceEntity, headers: IncomingHttpHeaders, signatureHeader: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of source.forwardHeaders) {
    const raw = headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (value === undefined) continue;
    if (validateCustomHeaders({ [name]: value }, signatureHeader).length === 0) out[name] = value;
  }
  out[SOURCE_ID_HEADER] = source.maskId;
  return out;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

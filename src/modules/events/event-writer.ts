import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommit } from '../../../libs/database/group-commit';
import { fastQuery } from '../../../libs/database/sql';
import { activeSpanContext, inSpan, tracingOn } from '../../../libs/observability/tracing';
import { ROOT_CONTEXT, SpanContext, trace } from '@opentelemetry/api';
import type { EventTarget } from './event.entity';
import { markRoutedCte, routedStatusSql } from './event-status';
import type { NewDelivery } from './routing/delivery-plan';

export interface NewEvent {
  id: string;
  projectId: string;
  eventType: string;
  target: EventTarget;
  endpoints: string[];
  sourceId: string | null;
  idempotencyKey: string | null;
  brokerMessageId: string | null;
  headers: Record<string, string>;
  raw: string;
  urlQueryParams: string;
  urlPath: string;
  deliveries: NewDelivery[];
}

export interface WriteResult {
  /** false when an event with the same idempotency key or broker message existed: nothing was written */
  inserted: boolean;
  /** the commit's clock, which the row's created_at, updated_at and routed_at hold */
  at: Date;
}

/** An event being routed again (a replay pass), with the deliveries its routing decided on. */
export interface RoutePass {
  eventId: string;
  routeSeq: number;
  deliveries: NewDelivery[];
}

interface Pending {
  ev: NewEvent;
  /** the span of the request that wrote it, when tracing is on */
  span?: SpanContext;
}

/**
 * The one statement family that creates delivery rows: a CTE inserting the deliveries of
 * the events that `source` returns (id, project_id, event_type, headers, route_seq), from
 * seven array parameters starting at `$first` (see deliveryParams). A repeated routing
 * pass inserts nothing.
 */
function deliveryRowsCte(source: string, first: number): string {
  const p = (i: number): string => `$${first + i}`;
  return `dl AS (
    INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, delivery_mode, headers, retry_limit, route_seq, sole)
    SELECT v.id, s.project_id, s.id, v.endpoint_id, v.subscription_id, s.event_type, v.mode, s.headers, v.retry_limit, s.route_seq, v.sole
    FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::int[], ${p(6)}::boolean[])
         AS v(id, event_id, endpoint_id, subscription_id, mode, retry_limit, sole)
    JOIN ${source} s ON s.id = v.event_id
    ON CONFLICT (event_id, subscription_id, route_seq) DO NOTHING
    RETURNING id, endpoint_id
  )`;
}

/** The seven column arrays of deliveryRowsCte for the given events' deliveries. */
function deliveryParams(events: { id: string; deliveries: NewDelivery[] }[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 7 }, () => []);
  for (const e of events) {
    for (const d of e.deliveries) {
      cols[0].push(d.id);
      cols[1].push(e.id);
      cols[2].push(d.endpointId);
      cols[3].push(d.subscriptionId);
      cols[4].push(d.deliveryMode);
      cols[5].push(d.retryLimit);
      // the only delivery of its pass: its final attempt settles the event by itself
      cols[6].push(e.deliveries.length === 1);
    }
  }
  return cols;
}

const INGEST_STATUS = routedStatusSql('u.n');

/*
 * Events arrive routed: `routed_at` is set and their delivery rows are inserted by the
 * same statement, only for the events that were inserted (a repeated idempotency key, or
 * a broker message seen before from the same source, writes nothing: the conflict target
 * is left open so both unique indexes apply). The foreign key from deliveries to events is checked at the end of
 * the statement, when both exist.
 */
const INGEST_SQL = `
  WITH ins AS (
    INSERT INTO events (id, project_id, event_type, target, endpoints, source_id, idempotency_key, broker_message_id, headers, raw, url_query_params,
                        url_path, routed_at, status, failure_reason, pending)
    SELECT u.id, u.project_id, u.event_type, u.target,
           CASE WHEN u.endpoints = '' THEN '{}'::text[] ELSE string_to_array(u.endpoints, ',') END,
           u.source_id, u.idempotency_key, u.broker_message_id, u.headers, u.raw, u.qp, u.path, now(), ${INGEST_STATUS.status}, ${INGEST_STATUS.failureReason},
           CASE WHEN u.n >= 2 THEN u.n END
    FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[], $12::int[], $13::text[])
         AS u(id, project_id, event_type, target, endpoints, source_id, idempotency_key, broker_message_id, headers, raw, qp, n, path)
    ON CONFLICT DO NOTHING
    RETURNING id, project_id, event_type, headers, route_seq
  ), ${deliveryRowsCte('ins', 14)}
  SELECT id, now() AS at FROM ins`;

const ROUTE_SQL = `
  WITH ${markRoutedCte(1, 2, 3)}, ${deliveryRowsCte('src', 4)}
  SELECT id, endpoint_id FROM dl`;

/**
 * Writes events and their delivery rows. Ingest is group-committed: concurrent requests
 * share one statement (events and their deliveries, one commit), so the per-event cost
 * falls as load rises while a lone request still goes out at once; the promise settles
 * only after the commit. A replay pass marks its event routed and writes its deliveries
 * in one statement too.
 */
@Injectable()
export class EventWriter {
  // a failed commit fails every request of its batch at once: each answers 503 and its client retries
  private readonly commits = new GroupCommit<Pending, WriteResult>((b) => this.flush(b), { maxBatch: 500, maxInFlight: 4 });

  constructor(private readonly ds: DataSource) {}

  write(ev: NewEvent): Promise<WriteResult> {
    return this.commits.submit({ ev, span: activeSpanContext() });
  }

  /** Writes one replay pass; returns the deliveries it created (none when the pass was already routed). */
  route(pass: RoutePass): Promise<{ id: string; endpoint_id: string }[]> {
    const ev = { id: pass.eventId, deliveries: pass.deliveries };
    return fastQuery(this.ds, ROUTE_SQL, [pass.eventId, pass.routeSeq, pass.deliveries.length, ...deliveryParams([ev])]);
  }

  /**
   * One commit serves many requests: its span is a child of the first one's and links to
   * every other, so each request's trace reaches the statement it shared.
   */
  private flush(batch: Pending[]): Promise<WriteResult[]> {
    if (!tracingOn()) return this.commit(batch);
    const first = batch[0].span;
    const links = batch.flatMap((p) => (p.span && p.span !== first ? [{ context: p.span }] : [])).slice(0, 128);
    if (!first && links.length === 0) return this.commit(batch);
    const parent = first ? trace.setSpanContext(ROOT_CONTEXT, first) : ROOT_CONTEXT;
    return inSpan('caravan.group_commit', { parent, links, attributes: { 'caravan.batch_size': batch.length } }, () => this.commit(batch));
  }

  private async commit(batch: Pending[]): Promise<WriteResult[]> {
    const ev: unknown[][] = Array.from({ length: 13 }, () => []);
    for (const { ev: e } of batch) {
      ev[0].push(e.id);
      ev[1].push(e.projectId);
      ev[2].push(e.eventType);
      ev[3].push(JSON.stringify(e.target));
      ev[4].push(e.endpoints.join(','));
      ev[5].push(e.sourceId);
      ev[6].push(e.idempotencyKey);
      ev[7].push(e.brokerMessageId);
      ev[8].push(JSON.stringify(e.headers));
      ev[9].push(e.raw);
      ev[10].push(e.urlQueryParams);
      ev[11].push(e.deliveries.length);
      ev[12].push(e.urlPath);
    }
    const rows = await fastQuery<{ id: string; at: Date }[]>(this.ds, INGEST_SQL, [...ev, ...deliveryParams(batch.map((p) => p.ev))]);
    const inserted = new Map(rows.map((r) => [r.id, r.at]));
    return batch.map((p) => {
      const at = inserted.get(p.ev.id);
      return { inserted: at !== undefined, at: at ?? new Date() };
    });
  }
}

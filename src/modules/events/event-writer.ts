import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { fastQuery } from '../../../libs/database/sql';
import type { EventTarget } from './event.entity';

/** A delivery decided at ingest: one per matching subscription. */
export interface NewEventDelivery {
  id: string;
  endpointId: string;
  subscriptionId: string;
  deliveryMode: string;
  retryLimit: number;
}

export interface NewEvent {
  id: string;
  projectId: string;
  eventType: string;
  target: EventTarget;
  endpoints: string[];
  idempotencyKey: string | null;
  headers: Record<string, string>;
  raw: string;
  urlQueryParams: string;
  deliveries: NewEventDelivery[];
}

export interface WriteResult {
  /** false when an event with the same idempotency key existed: nothing was written */
  inserted: boolean;
}

interface Pending {
  ev: NewEvent;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 4;

/*
 * Events arrive routed: `routed_at` is set and their delivery rows are inserted by the
 * same statement, only for the events that were inserted (a repeated idempotency key
 * writes nothing). The foreign key from deliveries to events is checked at the end of
 * the statement, when both exist.
 */
const INSERT_SQL = `
  WITH ins AS (
    INSERT INTO events (id, project_id, event_type, target, endpoints, idempotency_key, headers, raw, url_query_params, routed_at, status, failure_reason)
    SELECT u.id, u.project_id, u.event_type, u.target,
           CASE WHEN u.endpoints = '' THEN '{}'::text[] ELSE string_to_array(u.endpoints, ',') END,
           u.idempotency_key, u.headers, u.raw, u.qp, now(),
           CASE WHEN u.n = 0 THEN 'Failure' ELSE 'Processing' END,
           CASE WHEN u.n = 0 THEN 'no subscription matched the event' ELSE '' END
    FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::int[])
         AS u(id, project_id, event_type, target, endpoints, idempotency_key, headers, raw, qp, n)
    ON CONFLICT (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, project_id, event_type, headers
  ), dl AS (
    INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, delivery_mode, headers, retry_limit, route_seq, sole)
    SELECT v.id, ins.project_id, ins.id, v.endpoint_id, v.subscription_id, ins.event_type, v.mode, ins.headers, v.retry_limit, 0, v.sole
    FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::int[], $17::boolean[])
         AS v(id, event_id, endpoint_id, subscription_id, mode, retry_limit, sole)
    JOIN ins ON ins.id = v.event_id
    RETURNING event_id
  )
  SELECT id FROM ins`;

/**
 * Group commit for ingest: concurrent requests share one statement (events and their
 * deliveries, one commit), so the per-event cost falls as load rises while a lone request
 * still goes out at once. The promise settles only after the commit.
 */
@Injectable()
export class EventWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly ds: DataSource) {}

  write(ev: NewEvent): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ ev, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const ev: unknown[][] = Array.from({ length: 10 }, () => []);
      const dl: unknown[][] = Array.from({ length: 7 }, () => []);
      for (const { ev: e } of batch) {
        ev[0].push(e.id);
        ev[1].push(e.projectId);
        ev[2].push(e.eventType);
        ev[3].push(JSON.stringify(e.target));
        ev[4].push(e.endpoints.join(','));
        ev[5].push(e.idempotencyKey);
        ev[6].push(JSON.stringify(e.headers));
        ev[7].push(e.raw);
        ev[8].push(e.urlQueryParams);
        ev[9].push(e.deliveries.length);
        for (const d of e.deliveries) {
          dl[0].push(d.id);
          dl[1].push(e.id);
          dl[2].push(d.endpointId);
          dl[3].push(d.subscriptionId);
          dl[4].push(d.deliveryMode);
          dl[5].push(d.retryLimit);
          dl[6].push(e.deliveries.length === 1);
        }
      }
      const rows = await fastQuery<{ id: string }[]>(this.ds, INSERT_SQL, [...ev, ...dl]);
      const inserted = new Set(rows.map((r) => r.id));
      for (const p of batch) p.resolve({ inserted: inserted.has(p.ev.id) });
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

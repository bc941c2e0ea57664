import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventTarget } from './event.entity';

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
}

interface Pending {
  ev: NewEvent;
  resolve: (inserted: boolean) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 4;

const INSERT_SQL = `
  INSERT INTO events (id, project_id, event_type, target, endpoints, idempotency_key, headers, raw, url_query_params)
  SELECT u.id, u.project_id, u.event_type, u.target,
         CASE WHEN u.endpoints = '' THEN '{}'::text[] ELSE string_to_array(u.endpoints, ',') END,
         u.idempotency_key, u.headers, u.raw, u.qp
  FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])
       AS u(id, project_id, event_type, target, endpoints, idempotency_key, headers, raw, qp)
  ON CONFLICT (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING id`;

/**
 * Group commit for ingest: concurrent requests share one multi-row INSERT (one statement,
 * one commit), so the per-event cost falls as load rises while a lone request still goes
 * out at once. Each caller learns whether its row was inserted or lost to an existing
 * idempotency key; the promise settles only after the commit.
 */
@Injectable()
export class EventWriter {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly ds: DataSource) {}

  write(ev: NewEvent): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
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
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const { ev } of batch) {
        cols[0].push(ev.id);
        cols[1].push(ev.projectId);
        cols[2].push(ev.eventType);
        cols[3].push(JSON.stringify(ev.target));
        cols[4].push(ev.endpoints.join(','));
        cols[5].push(ev.idempotencyKey);
        cols[6].push(JSON.stringify(ev.headers));
        cols[7].push(ev.raw);
        cols[8].push(ev.urlQueryParams);
      }
      const rows: { id: string }[] = await this.ds.query(INSERT_SQL, cols);
      const inserted = new Set(rows.map((r) => r.id));
      for (const p of batch) p.resolve(inserted.has(p.ev.id));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

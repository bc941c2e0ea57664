import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeResult } from '../../../libs/database/sql';
import type { PageRequest } from '../../common/http/pagination.dto';
import { ReplicaReads } from '../../../libs/database/replica-reads';

export type MetaEventStatus = 'Scheduled' | 'Processing' | 'Success' | 'Failure' | 'Retry' | 'Discarded';

export interface MetaEventAttempt {
  request_http_header: Record<string, string>;
  response_http_header: Record<string, string>;
  response_data: string;
  http_status: string;
  error: string;
}

export interface MetaEventRow {
  id: string;
  project_id: string;
  event_type: string;
  status: MetaEventStatus;
  payload: { event_type: string; data: unknown };
  attempts: number;
  retry_limit: number;
  next_attempt_at: Date;
  last_attempt: MetaEventAttempt | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const COLS = 'id, project_id, event_type, status, payload, attempts, retry_limit, next_attempt_at, last_attempt, created_at, updated_at, deleted_at';

/** Meta events and their small leased state machine, like deliveries but one table. */
@Injectable()
export class MetaEventsRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly reads: ReplicaReads,
  ) {}

  async insert(row: { id: string; projectId: string; eventType: string; payload: unknown; retryLimit: number }): Promise<void> {
    await this.ds.query(`INSERT INTO meta_events (id, project_id, event_type, payload, retry_limit) VALUES ($1, $2, $3, $4, $5)`, [
      row.id,
      row.projectId,
      row.eventType,
      JSON.stringify(row.payload),
      row.retryLimit,
    ]);
  }

  async list(projectId: string, page: PageRequest, range: { start?: Date; end?: Date }): Promise<MetaEventRow[]> {
    const params: unknown[] = [projectId, page.perPage + 1];
    let where = 'project_id = $1 AND deleted_at IS NULL';
    if (page.cursor) {
      params.push(page.cursor);
      where += page.direction === 'prev' ? ` AND id > $${params.length}` : ` AND id < $${params.length}`;
    }
    if (range.start) {
      params.push(range.start);
      where += ` AND created_at >= $${params.length}`;
    }
    if (range.end) {
      params.push(range.end);
      where += ` AND created_at <= $${params.length}`;
    }
    const order = page.direction === 'prev' ? 'ASC' : 'DESC';
    return this.reads.source(this.ds).query(`SELECT ${COLS} FROM meta_events WHERE ${where} ORDER BY id ${order} LIMIT $2`, params);
  }

  async findOne(projectId: string, id: string): Promise<MetaEventRow | undefined> {
    const rows: MetaEventRow[] = await this.reads
      .source(this.ds)
      .query(`SELECT ${COLS} FROM meta_events WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL`, [projectId, id]);
    return rows[0];
  }

  /** Makes a meta event due again with one more attempt, whatever its outcome was. */
  async resend(projectId: string, id: string): Promise<boolean> {
    const raw: unknown = await this.ds.query(
      `UPDATE meta_events SET status = 'Retry', next_attempt_at = now(), retry_limit = attempts + 1, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND deleted_at IS NULL AND status <> 'Processing'
       RETURNING id`,
      [projectId, id],
    );
    return writeResult(raw).rows.length > 0;
  }

  /** Claims due meta events with a lease; SKIP LOCKED keeps workers off each other's rows. */
  async claimDue(owner: string, leaseMs: number, limit: number): Promise<MetaEventRow[]> {
    const raw: unknown = await this.ds.query(
      `UPDATE meta_events m SET status = 'Processing', lease_owner = $1, lease_until = now() + ($2::int * interval '1 millisecond'), updated_at = now()
       WHERE m.id IN (SELECT id FROM meta_events WHERE status IN ('Scheduled', 'Retry') AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLS.split(', ')
         .map((c) => `m.${c}`)
         .join(', ')}`,
      [owner, leaseMs, limit],
    );
    return writeResult<MetaEventRow>(raw).rows;
  }

  async recordAttempt(id: string, owner: string, status: MetaEventStatus, nextAttemptAt: Date | null, attempt: MetaEventAttempt): Promise<void> {
    await this.ds.query(
      `UPDATE meta_events SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), attempts = attempts + 1, last_attempt = $5,
         lease_owner = NULL, lease_until = NULL, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status = 'Processing'`,
      [id, owner, status, nextAttemptAt, JSON.stringify(attempt)],
    );
  }

  /** Meta events whose worker died mid-send go back to Retry (the attempt counts). */
  async recoverExpiredLeases(limit: number): Promise<number> {
    const raw: unknown = await this.ds.query(
      `UPDATE meta_events SET status = CASE WHEN attempts + 1 >= retry_limit THEN 'Failure' ELSE 'Retry' END,
         attempts = attempts + 1, next_attempt_at = now(), lease_owner = NULL, lease_until = NULL, updated_at = now()
       WHERE id IN (SELECT id FROM meta_events WHERE status = 'Processing' AND lease_until < now() LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit],
    );
    return writeResult(raw).rows.length;
  }
}

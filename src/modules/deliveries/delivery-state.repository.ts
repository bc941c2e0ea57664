import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommit } from '../../../libs/database/group-commit';
import { fastQuery, writeResult } from '../../../libs/database/sql';
import type { Wakeable } from '../delivery-queue';
import { LOCK_EVENT_SQL, reopenEventsCte, SETTLE_EVENT_SQL, settleCountedEventsCte, settleSoleEventsCte, soleOutcome, UNCOUNT_EVENT_SQL } from '../events';
import { DeliveryStatus, isTerminal } from './delivery.entity';
import type { Transition } from './dispatch/next-state';
import { HELD_UNTIL_SQL } from './held';

/** A delivery claimed for sending, with the event payload it carries. */
export interface ClaimedDelivery {
  id: string;
  project_id: string;
  event_id: string;
  endpoint_id: string;
  subscription_id: string;
  event_type: string;
  delivery_mode: 'at_least_once' | 'at_most_once';
  headers: Record<string, string>;
  attempts: number;
  retry_limit: number;
  generation: number;
  /** the only delivery of its routing pass: its final attempt settles the event */
  sole: boolean;
  /** its event counts the deliveries in flight (events.pending): its final attempt settles the event by the count, without a lock */
  counted: boolean;
  route_seq: number;
  created_at: Date;
  raw: string;
  event_headers: Record<string, string>;
  /** the subscription's transform function, applied before signing; null for most */
  function: string | null;
}

export interface AttemptRecord {
  id: string;
  url: string;
  ipAddress: string;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  httpStatus: string;
  responseData: string;
  error: string;
  errorClass: string;
  ok: boolean;
  durationMs: number;
  requestedAt: Date;
  respondedAt: Date | null;
}

/**
 * The delivery state machine in SQL, every transition of `event_deliveries.status` in one
 * file: claim with a lease, record an attempt together with the next state, deferrals,
 * holds and the sweeper's recoveries. Every statement is conditional, so a second worker
 * or a stale job can never move a delivery it does not own.
 *
 *   Scheduled ──claim──▶ Processing ──2xx──────────────────────▶ Success
 *   Retry ─────claim──▶     │  ├──failure, attempts left──────▶ Retry (new generation)
 *       ▲                   │  ├──failure, none left / final──▶ Failure
 *       │                   │  ├──endpoint deleted / inactive─▶ Discarded
 *       │                   │  ├──endpoint paused / disabled──▶ Scheduled|Retry, held (HELD_UNTIL)
 *       │                   │  └──status seen stale───────────▶ Scheduled|Retry (requeue)
 *       │                   └──lease expired (sweeper)────────▶ Retry, or Failure (last attempt, at_most_once)
 *       └── resend / force resend (Failure, Discarded, Success) ◀┘
 *   Scheduled|Retry ──gate refused──▶ same status, later (defer: no attempt spent)
 *
 * Ending the last in-flight delivery of an event settles the event (events/event-status.ts)
 * in the same transaction.
 */
@Injectable()
export class DeliveryStateRepository {
  private readonly claims = new GroupCommit<ClaimRequest, ClaimedDelivery | undefined>((b) => this.claimBatch(b), {
    maxBatch: 200,
    maxInFlight: 4,
    key: (c) => c.id,
    retryAlone: aboutTheRows,
  });
  private readonly records = new GroupCommit<RecordRequest, number | undefined>((b) => this.recordBatch(b), {
    maxBatch: 200,
    maxInFlight: 4,
    key: (r) => r.d.id,
    retryAlone: aboutTheRows,
  });

  constructor(private readonly ds: DataSource) {}

  /**
   * Claims with a lease. Concurrent claims of this process share one statement (see
   * GroupCommit): under load the worker's claims cost one round trip and one commit per
   * batch, not per delivery.
   */
  claim(id: string, generation: number, owner: string, leaseMs: number): Promise<ClaimedDelivery | undefined> {
    return this.claims.submit({ id, generation, owner, leaseMs });
  }

  private async claimBatch(items: ClaimRequest[]): Promise<(ClaimedDelivery | undefined)[]> {
    const raw: unknown = await fastQuery(this.ds, CLAIM_SQL, [
      items.map((i) => i.id),
      items.map((i) => i.generation),
      items.map((i) => i.leaseMs),
      items.map((i) => i.owner),
    ]);
    const claimed = new Map(writeResult<ClaimedDelivery>(raw).rows.map((r) => [r.id, r]));
    return items.map((i) => claimed.get(i.id));
  }

  /**
   * The attempt row and the delivery's next state in one statement (one transaction).
   * Returns the new generation, or undefined when the lease was lost meanwhile.
   */
  async recordAttempt(d: ClaimedDelivery, owner: string, a: AttemptRecord | null, t: Transition): Promise<number | undefined> {
    if (!(isTerminal(t.status) && !d.sole && !d.counted)) return this.records.submit({ d, owner, a, t });
    return this.recordLocked(d, owner, a, t);
  }

  /**
   * The final attempt of a delivery whose event does not count its deliveries in flight:
   * the event is settled in the same transaction, so a worker killed right after the
   * commit cannot leave it Processing for good (fault F1/F2); siblings finishing at once
   * queue on the event row, so the last of them sees the others' outcomes.
   */
  private recordLocked(d: ClaimedDelivery, owner: string, a: AttemptRecord | null, t: Transition): Promise<number | undefined> {
    return this.ds.transaction(async (m) => {
      await m.query(LOCK_EVENT_SQL, [d.event_id]);
      const rows: { generation: number }[] = await m.query(RECORD_SQL, recordParams([{ d, owner, a, t }], false));
      if (rows.length) await m.query(SETTLE_EVENT_SQL, [d.event_id]);
      return rows[0]?.generation;
    });
  }

  /**
   * Records of this process that need no event lock, in one statement: retries, the only
   * delivery of an event, and final attempts of deliveries whose event counts them (the
   * statement settles it by the count). An event found uncounted meanwhile (a sibling was
   * resent or recovered) is settled the locking way right after.
   */
  private async recordBatch(items: RecordRequest[]): Promise<(number | undefined)[]> {
    const rows: { id: string; generation: number | null; event: boolean }[] = await fastQuery(this.ds, RECORD_SQL, recordParams(items, true));
    const generations = new Map(rows.filter((r) => !r.event).map((r) => [r.id, r.generation ?? undefined]));
    const countedEvents = new Set(rows.filter((r) => r.event).map((r) => r.id));
    const missed = [...new Set(items.filter((i) => settlesByCount(i) && generations.has(i.d.id) && !countedEvents.has(i.d.event_id)).map((i) => i.d.event_id))];
    for (const eventId of missed.sort())
      await this.ds.transaction(async (m) => {
        await m.query(LOCK_EVENT_SQL, [eventId]);
        await m.query(SETTLE_EVENT_SQL, [eventId]);
      });
    return items.map((i) => generations.get(i.d.id));
  }

  /**
   * Leases that ran out: the worker died or hung mid-send. At-least-once deliveries go back
   * to Retry under a new generation (the attempt counts, so a poison delivery ends); an
   * at-most-once delivery may have been sent, so it ends Failure.
   */
  async recoverExpiredLeases(limit: number): Promise<Wakeable[]> {
    // One transaction: a delivery ended here (its last attempt, or at_most_once) settles its
    // event in the same commit, under the event lock its siblings take (see recordAttempt).
    const rows = await this.ds.transaction(async (m) => {
      const ended: (Wakeable & { status: string; event_id: string })[] = await m.query(
        `WITH upd AS (
           UPDATE event_deliveries d SET
             status = CASE WHEN d.delivery_mode = 'at_most_once' OR d.attempts + 1 >= d.retry_limit THEN 'Failure' ELSE 'Retry' END,
             description = CASE WHEN d.delivery_mode = 'at_most_once' THEN 'worker lost mid-delivery; not resent (at_most_once)'
                                ELSE 'worker lost mid-delivery; resending' END,
             attempts = d.attempts + 1, generation = d.generation + 1, next_attempt_at = now(),
             lease_until = NULL, lease_owner = NULL, updated_at = now()
           WHERE d.id IN (SELECT id FROM event_deliveries WHERE status = 'Processing' AND lease_until < now()
                          ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING d.id, d.generation, d.endpoint_id, d.project_id, d.attempts, d.status, d.event_id
         ) SELECT * FROM upd`,
        [limit],
      );
      for (const eventId of [...new Set(ended.filter((r) => r.status === 'Failure').map((r) => r.event_id))].sort()) {
        await m.query(LOCK_EVENT_SQL, [eventId]);
        // this delivery ended outside the record statement: the count no longer holds
        await m.query(UNCOUNT_EVENT_SQL, [eventId]);
        await m.query(SETTLE_EVENT_SQL, [eventId]);
      }
      return ended;
    });
    return rows
      .filter((r) => r.status === 'Retry')
      .map(({ id, generation, endpoint_id, project_id, attempts }) => ({ id, generation, endpoint_id, project_id, attempts }));
  }

  /** Due deliveries that may have lost their job (Redis flushed, enqueue failed). */
  async dueCandidates(graceMs: number, limit: number): Promise<Wakeable[]> {
    return fastQuery(
      this.ds,
      `SELECT id, generation, endpoint_id, project_id, attempts FROM event_deliveries
       WHERE status IN ('Scheduled', 'Retry') AND next_attempt_at <= now() - ($1::int * interval '1 millisecond')
       ORDER BY next_attempt_at LIMIT $2`,
      [graceMs, limit],
    );
  }

  /** Moves the given deliveries to a new generation; only rows still at the seen generation move. */
  async bumpGenerations(rows: Wakeable[]): Promise<Wakeable[]> {
    if (rows.length === 0) return [];
    const raw: unknown = await fastQuery(
      this.ds,
      `UPDATE event_deliveries d SET generation = d.generation + 1, updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS u(id, generation)
       WHERE d.id = u.id AND d.generation = u.generation AND d.status IN ('Scheduled', 'Retry')
       RETURNING d.id, d.generation, d.endpoint_id, d.project_id, d.attempts`,
      [rows.map((r) => r.id), rows.map((r) => r.generation)],
    );
    return writeResult<Wakeable>(raw).rows;
  }

  /**
   * Pushes a due delivery back without claiming it (its endpoint is rate limited, at its
   * concurrency cap or behind an open breaker): no attempt, attempts unchanged, a new
   * generation so only the re-enqueued job can claim it.
   */
  async defer(id: string, generation: number, delayMs: number, reason: string): Promise<Wakeable | undefined> {
    const raw: unknown = await fastQuery(
      this.ds,
      `UPDATE event_deliveries SET next_attempt_at = now() + ($3::int * interval '1 millisecond'), generation = generation + 1,
         description = $4, updated_at = now()
       WHERE id = $1 AND generation = $2 AND status IN ('Scheduled', 'Retry') AND next_attempt_at <= now() + interval '2 seconds'
       RETURNING id, generation, endpoint_id, project_id, attempts`,
      [id, generation, Math.ceil(delayMs), reason],
    );
    return writeResult<Wakeable>(raw).rows[0];
  }

  /** Gives a claimed delivery back unsent, due after `delayMs`, under a new generation. */
  async requeue(d: ClaimedDelivery, owner: string, delayMs: number, reason: string): Promise<Wakeable | undefined> {
    const raw: unknown = await fastQuery(
      this.ds,
      `UPDATE event_deliveries SET status = CASE WHEN attempts = 0 THEN 'Scheduled' ELSE 'Retry' END,
         next_attempt_at = now() + ($3::int * interval '1 millisecond'), generation = generation + 1, description = $4,
         lease_until = NULL, lease_owner = NULL, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status = 'Processing'
       RETURNING id, generation, endpoint_id, project_id, attempts`,
      [d.id, owner, Math.ceil(delayMs), reason],
    );
    return writeResult<Wakeable>(raw).rows[0];
  }

  /** Parks a delivery whose endpoint is paused; it is released when the endpoint resumes. */
  async hold(d: ClaimedDelivery, owner: string, reason: string): Promise<void> {
    await fastQuery(
      this.ds,
      `UPDATE event_deliveries SET status = CASE WHEN attempts = 0 THEN 'Scheduled' ELSE 'Retry' END,
         next_attempt_at = ${HELD_UNTIL_SQL}, description = $3, lease_until = NULL, lease_owner = NULL, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND status = 'Processing'`,
      [d.id, owner, reason],
    );
  }

  /** Releases everything held for an endpoint, under new generations. */
  async releaseHeld(endpointId: string): Promise<Wakeable[]> {
    const raw: unknown = await fastQuery(
      this.ds,
      `UPDATE event_deliveries SET next_attempt_at = now(), generation = generation + 1, description = '', updated_at = now()
       WHERE endpoint_id = $1 AND status IN ('Scheduled', 'Retry') AND next_attempt_at = ${HELD_UNTIL_SQL}
       RETURNING id, generation, endpoint_id, project_id, attempts`,
      [endpointId],
    );
    return writeResult<Wakeable>(raw).rows;
  }

  /** Makes Failure/Discarded (or, when forced, Success) deliveries due again. */
  async resend(projectId: string, ids: string[], statuses: DeliveryStatus[]): Promise<Wakeable[]> {
    if (ids.length === 0) return [];
    const raw: unknown = await fastQuery(
      this.ds,
      `WITH upd AS (
         UPDATE event_deliveries SET status = 'Retry', next_attempt_at = now(), generation = generation + 1,
           retry_limit = attempts + 1, description = 'resent', updated_at = now()
         WHERE project_id = $1 AND id = ANY($2::text[]) AND status = ANY($3::text[])
         RETURNING id, generation, endpoint_id, project_id, attempts, event_id
       ), ${reopenEventsCte('upd')}
       SELECT id, generation, endpoint_id, project_id, attempts FROM upd`,
      [projectId, ids, statuses],
    );
    return writeResult<Wakeable>(raw).rows;
  }

  /** Converges if a resume notification was missed: held deliveries of active endpoints. */
  async releaseHeldOfActiveEndpoints(limit: number): Promise<Wakeable[]> {
    const raw: unknown = await fastQuery(
      this.ds,
      `UPDATE event_deliveries d SET next_attempt_at = now(), generation = d.generation + 1, description = '', updated_at = now()
       WHERE d.id IN (SELECT x.id FROM event_deliveries x JOIN endpoints e ON e.id = x.endpoint_id
                      WHERE x.status IN ('Scheduled', 'Retry') AND x.next_attempt_at = ${HELD_UNTIL_SQL} AND e.status = 'active'
                      LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
       RETURNING d.id, d.generation, d.endpoint_id, d.project_id, d.attempts`,
      [limit],
    );
    return writeResult<Wakeable>(raw).rows;
  }
}

/** A deadlock or serialization failure (class 40), or one bad value (22, 23): the rows alone may pass. */
function aboutTheRows(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^(40|22|23)/.test(code);
}

interface ClaimRequest {
  id: string;
  generation: number;
  owner: string;
  leaseMs: number;
}

interface RecordRequest {
  d: ClaimedDelivery;
  owner: string;
  a: AttemptRecord | null;
  t: Transition;
}

/** Claims the deliveries of four arrays (id, generation, lease ms, owner) whose generation is still due. */
const CLAIM_SQL = `
  UPDATE event_deliveries d
     SET status = 'Processing', lease_until = now() + (u.lease_ms * interval '1 millisecond'), lease_owner = u.owner, updated_at = now()
    FROM unnest($1::text[], $2::int[], $3::int[], $4::text[]) AS u(id, generation, lease_ms, owner), events e
   WHERE d.id = u.id AND d.generation = u.generation AND d.status IN ('Scheduled', 'Retry')
     AND d.next_attempt_at <= now() + interval '2 seconds' AND e.id = d.event_id
  RETURNING d.id, d.project_id, d.event_id, d.endpoint_id, d.subscription_id, d.event_type, d.delivery_mode,
            d.headers, d.attempts, d.retry_limit, d.generation, d.sole, d.route_seq, d.created_at, e.raw, e.headers AS event_headers,
            e.pending IS NOT NULL AS counted, (SELECT s.function FROM subscriptions s WHERE s.id = d.subscription_id) AS function`;

/**
 * Attempt rows and next states of deliveries still leased by their owner, in one
 * statement: the state change (7 arrays), the attempts made (17 arrays; an attempt is
 * recorded even when the lease was lost meanwhile, since the request went out), for a
 * final state of the only delivery of its routing pass its event's outcome (4 arrays), and
 * for a final state of a delivery whose event counts its deliveries in flight, that count
 * (4 arrays). Answers the deliveries updated, then the counted events (`event` true).
 */
const RECORD_SQL = `
  WITH upd AS (
    UPDATE event_deliveries d SET status = u.status, next_attempt_at = u.next_at, description = u.description,
      attempts = d.attempts + u.inc, generation = d.generation + u.bump,
      lease_until = NULL, lease_owner = NULL, updated_at = now(),
      latency_ms = CASE WHEN u.status = 'Success' THEN (extract(epoch FROM now() - d.created_at) * 1000)::int ELSE d.latency_ms END
    FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::int[], $7::int[])
         AS u(id, owner, status, next_at, description, bump, inc)
    WHERE d.id = u.id AND d.lease_owner = u.owner AND d.status = 'Processing'
    RETURNING d.id, d.generation
  ), att AS (
    INSERT INTO delivery_attempts (id, project_id, event_delivery_id, endpoint_id, msg_id, url, ip_address, request_http_header,
      response_http_header, http_status, response_data, error, error_class, status, duration_ms, requested_at, responded_at)
    SELECT * FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[],
                         $17::text[], $18::text[], $19::text[], $20::text[], $21::boolean[], $22::int[], $23::timestamptz[], $24::timestamptz[])
  ), ${settleSoleEventsCte('upd', 25)}, ${settleCountedEventsCte('upd', 29)}
  SELECT id, generation, false AS event FROM upd
  UNION ALL SELECT id, NULL, true FROM counted`;

/** A final attempt whose event is settled by its count of deliveries in flight. */
function settlesByCount({ d, t }: RecordRequest): boolean {
  return isTerminal(t.status) && !d.sole && d.counted;
}

/** The 32 column arrays of RECORD_SQL; `byCount` false leaves the count alone (the locking path settles). */
function recordParams(items: RecordRequest[], byCount: boolean): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 32 }, () => []);
  for (const { d, owner, a, t } of items) {
    const row: unknown[] = [d.id, owner, t.status, t.nextAttemptAt ?? new Date(), t.description, t.bumpGeneration ? 1 : 0, a ? 1 : 0];
    row.forEach((v, i) => cols[i].push(v));
    if (a) {
      const att: unknown[] = [
        a.id,
        d.project_id,
        d.id,
        d.endpoint_id,
        d.event_id,
        a.url,
        a.ipAddress,
        JSON.stringify(a.requestHeaders),
        JSON.stringify(a.responseHeaders),
        a.httpStatus,
        a.responseData,
        a.error,
        a.errorClass,
        a.ok,
        a.durationMs,
        a.requestedAt,
        a.respondedAt,
      ];
      att.forEach((v, i) => cols[7 + i].push(v));
    }
    if (isTerminal(t.status) && d.sole) {
      cols[24].push(d.id);
      cols[25].push(d.event_id);
      cols[26].push(d.route_seq);
      cols[27].push(soleOutcome(t.status));
    }
    if (byCount && settlesByCount({ d, owner, a, t })) {
      cols[28].push(d.id);
      cols[29].push(d.event_id);
      cols[30].push(d.route_seq);
      cols[31].push(t.status !== 'Success');
    }
  }
  return cols;
}

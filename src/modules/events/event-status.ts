import type { EventStatus } from './event.entity';

/**
 * Every transition of `events.status`, in one file. The events module owns the column; the
 * deliveries module runs the settling statements below inside its own attempt
 * transactions (so a worker killed after the commit cannot leave an event Processing), but
 * it never writes the column with SQL of its own.
 *
 *                   ingest, ≥ 1 delivery
 *   (new) ───────────────────────────────────▶ Processing ──last delivery ends──▶ Success
 *     │      ingest, no subscription matched        ▲   │                        (every one Success)
 *     └──────────────────────────────────▶ Failure   │   └──last delivery ends──▶ Failure
 *                                            ▲       │                        (any Failure/Discarded)
 *   replay (any status) ──▶ Pending ──routed─┘───────┘
 *   resend of a delivery ──▶ Processing
 *
 * "Ends" means Success, Failure or Discarded; Scheduled, Processing and Retry are in
 * flight. Only the deliveries of the event's current routing pass (`route_seq`) count.
 * Convoy's `Retry` event status is never set: a delivery retries, its event stays Processing.
 */

/** The failure reason of an event that matched no subscription. */
export const NO_MATCH_REASON = 'no subscription matched the event';

/** The status an event is born with, given how many deliveries its routing made. */
export function routedStatus(deliveries: number): { status: EventStatus; failureReason: string } {
  return deliveries > 0 ? { status: 'Processing', failureReason: '' } : { status: 'Failure', failureReason: NO_MATCH_REASON };
}

/** SQL for {@link routedStatus}, for a statement that knows the delivery count as `countExpr`. */
export function routedStatusSql(countExpr: string): { status: string; failureReason: string } {
  return {
    status: `CASE WHEN ${countExpr} = 0 THEN 'Failure' ELSE 'Processing' END`,
    failureReason: `CASE WHEN ${countExpr} = 0 THEN '${NO_MATCH_REASON}' ELSE '' END`,
  };
}

/**
 * A CTE named `src` that marks one event routed for its pass (`$eventParam`, `$seqParam`)
 * and returns it, only while it is still unrouted: a second router for the same pass gets
 * no row, so it writes no deliveries.
 */
export function markRoutedCte(eventParam: number, seqParam: number, countParam: number): string {
  const s = routedStatusSql(`$${countParam}::int`);
  return `src AS (
    UPDATE events SET routed_at = now(), updated_at = now(), status = ${s.status}, failure_reason = ${s.failureReason}
    WHERE id = $${eventParam} AND route_seq = $${seqParam} AND routed_at IS NULL
    RETURNING id, project_id, event_type, headers, route_seq
  )`;
}

/** Starts a new routing pass for events of a project (`$1`, ids `$2`): the router then makes fresh deliveries. */
export const START_REPLAY_SQL = `
  UPDATE events SET route_seq = route_seq + 1, routed_at = NULL, status = 'Pending', failure_reason = '', pending = NULL, pending_failed = false,
    updated_at = now()
  WHERE project_id = $1 AND id = ANY($2::text[]) AND deleted_at IS NULL RETURNING id`;

/** A CTE reopening the events of the deliveries a resend made due again (`source` returns their `event_id`). */
export function reopenEventsCte(source: string): string {
  return `reopened AS (UPDATE events SET status = 'Processing', pending = NULL, updated_at = now() WHERE id IN (SELECT event_id FROM ${source}))`;
}

/**
 * An event whose count of deliveries in flight no longer holds (a delivery of it ended
 * outside the record statement, e.g. by lease recovery): its siblings settle it the
 * locking way from now on. `$1` = event id.
 */
export const UNCOUNT_EVENT_SQL = `UPDATE events SET pending = NULL WHERE id = $1 AND pending IS NOT NULL`;

/**
 * A CTE that settles events by their count of deliveries in flight (events.pending): for
 * each event, the final attempts recorded by this statement are subtracted and any failure
 * among them remembered; the one that brings the count to 0 sets the event's outcome. The
 * row's own lock orders concurrent siblings, each seeing the count the others left. Four
 * arrays from `$first`: delivery id, event id, route_seq, failed; only deliveries whose own
 * update happened (`id` rows of `guard`) count. Returns the ids of the events it counted
 * on; an event not counted (pending NULL) must be settled the locking way.
 */
export function settleCountedEventsCte(guard: string, first: number): string {
  const p = (i: number): string => `$${first + i}`;
  return `counted AS (
    UPDATE events e SET pending = e.pending - v.n, pending_failed = e.pending_failed OR v.failed,
      status = CASE WHEN e.pending - v.n > 0 THEN e.status WHEN e.pending_failed OR v.failed THEN 'Failure' ELSE 'Success' END,
      updated_at = now()
    FROM (SELECT c.event_id, c.route_seq, count(*)::int AS n, bool_or(c.failed) AS failed
          FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::int[], ${p(3)}::boolean[]) AS c(delivery_id, event_id, route_seq, failed)
          WHERE c.delivery_id IN (SELECT id FROM ${guard})
          GROUP BY c.event_id, c.route_seq) v
    WHERE e.id = v.event_id AND e.route_seq = v.route_seq AND e.pending IS NOT NULL
    RETURNING e.id)`;
}

/**
 * Settles one event (`$1`) once none of its current deliveries is in flight: Failure if any
 * ended Failure or Discarded, Success otherwise. Run in the transaction that ended a
 * delivery, after locking the event row (see {@link LOCK_EVENT_SQL}), so the last of
 * several siblings ending at once sees the others' outcomes.
 */
export const SETTLE_EVENT_SQL = `
  UPDATE events e SET status = CASE WHEN EXISTS (SELECT 1 FROM event_deliveries x WHERE x.event_id = e.id AND x.route_seq = e.route_seq AND x.status IN ('Failure', 'Discarded'))
                              THEN 'Failure' ELSE 'Success' END,
         updated_at = now()
  WHERE e.id = $1 AND e.routed_at IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM event_deliveries x WHERE x.event_id = e.id AND x.route_seq = e.route_seq
                    AND x.status IN ('Scheduled', 'Processing', 'Retry'))`;

/** Serialises the settling of siblings: taken before a non-sole delivery's final attempt is recorded. */
export const LOCK_EVENT_SQL = 'SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE';

/**
 * A CTE that settles the events of deliveries that were each the only one of their
 * routing pass: no sibling can be in flight, so an event's outcome is its delivery's.
 * Four arrays from `$first`: delivery id, event id, route_seq, event status; `guard` names
 * the CTE whose `id` rows prove each delivery's own update happened.
 */
export function settleSoleEventsCte(guard: string, first: number): string {
  const p = (i: number): string => `$${first + i}`;
  return `ev AS (
    UPDATE events e SET status = v.status, updated_at = now()
    FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::int[], ${p(3)}::text[]) AS v(delivery_id, event_id, route_seq, status)
    WHERE e.id = v.event_id AND e.route_seq = v.route_seq AND v.delivery_id IN (SELECT id FROM ${guard}))`;
}

/** The event status that follows a sole delivery's final delivery status. */
export function soleOutcome(deliveryStatus: 'Success' | 'Failure' | 'Discarded'): EventStatus {
  return deliveryStatus === 'Success' ? 'Success' : 'Failure';
}

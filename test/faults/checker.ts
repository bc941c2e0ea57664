import { Client } from 'pg';
import type { SentEvent } from './load';
import type { Receipt } from './sink';

/** The score of one fault, in the vocabulary of docs/reliability.md. */
export interface FaultScore {
  fault: string;
  sent: number;
  acknowledged: number;
  delivered: number;
  lost: number;
  unexpected: number;
  duplicated: number;
  recovered: number;
  /** 503 answers seen by the producer (retried with the same key) */
  unavailable: number;
  drainMs: number | undefined;
  /**
   * How long the backlog left at the end of the load takes at the pace the system kept
   * until then: the recovery bounds add it, so a slow (busy) machine is not read as a slow
   * recovery.
   */
  catchUpMs: number;
  /** longest time from a 2xx to the producer until every endpoint had a 2xx */
  maxLatencyMs: number;
  /** broken invariants and failed fault-specific checks; empty means pass */
  failures: string[];
  /** fault-specific observations for the report */
  notes: string[];
}

const ok2xx = (r: Receipt): boolean => r.status >= 200 && r.status < 300;

/** True once every acknowledged event of the set has a 2xx receipt at each of its endpoints. */
export function allDelivered(events: SentEvent[], byKey: Map<string, Receipt[]>): boolean {
  return events.every((e) => !e.acked || e.endpoints.every((ep) => (byKey.get(`${e.fid} ${ep}`) ?? []).some(ok2xx)));
}

export function indexReceipts(receipts: Receipt[]): Map<string, Receipt[]> {
  const m = new Map<string, Receipt[]>();
  for (const r of receipts) {
    const k = `${r.eventId} ${r.endpoint}`;
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/**
 * Scores one fault from what the producer saw, what the sinks received and what
 * PostgreSQL holds after the drain.
 */
export async function score(
  fault: string,
  projectId: string,
  events: SentEvent[],
  allSent: Map<string, SentEvent>,
  receipts: Receipt[],
  db: Client,
  drainMs: number | undefined,
): Promise<FaultScore> {
  const s: FaultScore = {
    fault,
    sent: events.length,
    acknowledged: 0,
    delivered: 0,
    lost: 0,
    unexpected: 0,
    duplicated: 0,
    recovered: 0,
    unavailable: 0,
    drainMs,
    catchUpMs: 0,
    maxLatencyMs: 0,
    failures: [],
    notes: [],
  };
  const mine = receipts.filter((r) => r.endpoint.startsWith(`${fault}/`) || r.eventId.startsWith(`${fault}-`));
  const byKey = indexReceipts(mine);

  const unexpected: string[] = [];
  for (const r of mine) {
    const ev = allSent.get(r.eventId);
    if (!ev) unexpected.push(`receipt for unknown id "${r.eventId}" at ${r.endpoint}`);
    else if (!ev.endpoints.includes(r.endpoint)) unexpected.push(`${r.eventId} arrived at ${r.endpoint}, which it was not sent to`);
    else if (!r.signatureOk) unexpected.push(`${r.eventId} at ${r.endpoint} carried a bad signature`);
  }
  s.unexpected = unexpected.length;
  if (unexpected.length) s.failures.push(`unexpected receipts, e.g. ${unexpected.slice(0, 3).join('; ')}`);

  const lostIds: string[] = [];
  const splitIds: string[] = [];
  for (const e of events) {
    s.unavailable += e.ambiguous;
    const perEndpoint = e.endpoints.map((ep) => (byKey.get(`${e.fid} ${ep}`) ?? []).filter(ok2xx));
    const deliveredEverywhere = perEndpoint.every((l) => l.length > 0);
    for (const l of perEndpoint) {
      if (l.length > 1) s.duplicated += l.length - 1;
      if (new Set(l.map((r) => r.deliveryId)).size > 1) splitIds.push(e.fid);
    }
    if (e.ambiguous > 0 && deliveredEverywhere) s.recovered++;
    if (!e.acked) continue;
    s.acknowledged++;
    if (deliveredEverywhere) {
      s.delivered++;
      const latency = Math.max(...perEndpoint.map((l) => Math.min(...l.map((r) => r.at)) - e.ackedAt));
      s.maxLatencyMs = Math.max(s.maxLatencyMs, latency);
    } else lostIds.push(e.fid);
  }
  s.lost = lostIds.length;
  if (lostIds.length) s.failures.push(`lost ${lostIds.length}, e.g. ${lostIds.slice(0, 5).join(', ')}`);
  if (splitIds.length)
    s.failures.push(`${splitIds.length} event/endpoint pairs received under more than one delivery id (e.g. ${splitIds.slice(0, 3).join(', ')})`);

  const bad = events.flatMap((e) => e.badStatuses);
  if (bad.length) s.failures.push(`API answered ${bad.length} times with neither 2xx nor 503: ${[...new Set(bad)].join(', ')}`);

  // invariants, from the system of record
  const ackedUids = events.filter((e) => e.acked).flatMap((e) => [...e.uids]);
  const rows = await db.query<{ id: string; idempotency_key: string }>('SELECT id, idempotency_key FROM events WHERE project_id = $1', [projectId]);
  const byId = new Map(rows.rows.map((r) => [r.id, r.idempotency_key]));
  const missing = ackedUids.filter((u) => !byId.has(u));
  if (missing.length) s.failures.push(`${missing.length} acknowledged events have no row (e.g. ${missing.slice(0, 3).join(', ')})`);
  const perKey = new Map<string, number>();
  for (const k of byId.values()) perKey.set(k, (perKey.get(k) ?? 0) + 1);
  const doubled = [...perKey.entries()].filter(([, n]) => n > 1);
  if (doubled.length) s.failures.push(`${doubled.length} idempotency keys have more than one event row`);
  const forked = events.filter((e) => e.uids.size > 1);
  if (forked.length) s.failures.push(`${forked.length} idempotency keys were answered with different event ids`);
  const mismatched = events.filter((e) => e.acked && [...e.uids].some((u) => byId.get(u) !== e.idempotencyKey));
  if (mismatched.length) s.failures.push(`${mismatched.length} acknowledged ids do not carry their idempotency key`);
  const processing = await db.query<{ n: string; overdue_s: number | null }>(
    `SELECT count(*) AS n, extract(epoch FROM now() - min(lease_until))::int AS overdue_s FROM event_deliveries WHERE project_id = $1 AND status = 'Processing'`,
    [projectId],
  );
  const { n, overdue_s } = processing.rows[0];
  if (Number(n) > 0) {
    // a lease still running means the suite stopped waiting too early; one long expired means the sweeper missed it
    const why = (overdue_s ?? 0) > 0 ? `a lease ran out ${overdue_s} s ago and was not recovered` : `leases still running`;
    s.failures.push(`${n} deliveries left Processing (${why})`);
  }
  const unrouted = await db.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE project_id = $1 AND routed_at IS NULL', [projectId]);
  if (Number(unrouted.rows[0].n) > 0) s.failures.push(`${unrouted.rows[0].n} events never routed`);
  const stuckEvents = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM events e WHERE e.project_id = $1 AND e.status NOT IN ('Success', 'Failure')
       AND NOT EXISTS (SELECT 1 FROM event_deliveries x WHERE x.event_id = e.id AND x.route_seq = e.route_seq AND x.status IN ('Scheduled', 'Processing', 'Retry'))`,
    [projectId],
  );
  if (Number(stuckEvents.rows[0].n) > 0) s.failures.push(`${stuckEvents.rows[0].n} events kept a non-final status although all their deliveries ended`);
  const unsettled = await db.query<{ n: string }>(`SELECT count(*) AS n FROM event_deliveries WHERE project_id = $1 AND status <> 'Success'`, [projectId]);
  if (Number(unsettled.rows[0].n) > 0) s.notes.push(`${unsettled.rows[0].n} deliveries not Success`);
  return s;
}

export function formatTable(scores: FaultScore[]): string {
  const head = [
    'fault',
    'sent',
    'acked',
    'delivered',
    'lost',
    'unexpected',
    'duplicated',
    'recovered',
    'ambiguous calls',
    'drain s',
    'max latency s',
    'result',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of scores) {
    const drain = s.drainMs === undefined ? 'never' : (s.drainMs / 1000).toFixed(1);
    lines.push(
      `| ${[s.fault, s.sent, s.acknowledged, s.delivered, s.lost, s.unexpected, s.duplicated, s.recovered, s.unavailable, drain, (s.maxLatencyMs / 1000).toFixed(1), s.failures.length ? 'FAIL' : 'pass'].join(' | ')} |`,
    );
  }
  const total = (k: keyof FaultScore): number => scores.reduce((a, s) => a + (typeof s[k] === 'number' ? s[k] : 0), 0);
  lines.push(
    `| total | ${total('sent')} | ${total('acknowledged')} | ${total('delivered')} | ${total('lost')} | ${total('unexpected')} | ${total('duplicated')} | ${total('recovered')} | ${total('unavailable')} | | | ${scores.some((s) => s.failures.length) ? 'FAIL' : 'pass'} |`,
  );
  return lines.join('\n');
}

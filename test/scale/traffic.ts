import type { SentEvent, Project } from '../faults/load';
import { sleep } from '../faults/infra';

const CALL_TIMEOUT_MS = 10_000;
const GIVE_UP_MS = 90_000;

/** What the producer saw, beyond SentEvent: answers from the load balancer itself. */
export interface GatewayAnswers {
  /** 502/504 from nginx (no api answered): ambiguous, retried with the same key */
  gateway: number;
  /** 503 from Caravan (could not commit): retried with the same key */
  unavailable: number;
}

/**
 * Sends one event through the load balancer as a careful producer does: the same
 * idempotency key on every try (as the `Idempotency-Key` header and Convoy's
 * `idempotency_key` field, which is the one Caravan reads), retrying whatever may not have
 * been stored (no answer, 502/504 from nginx, 503 from Caravan) until the first 2xx.
 */
export async function sendThroughLb(
  baseUrl: string,
  p: Project,
  ev: SentEvent,
  path: string,
  extra: Record<string, unknown>,
  answers: GatewayAnswers,
): Promise<void> {
  const body = JSON.stringify({ event_type: 'scale.test', data: { fid: ev.fid, fault: ev.fault }, idempotency_key: ev.idempotencyKey, ...extra });
  const started = Date.now();
  let backoff = 200;
  while (Date.now() - started < GIVE_UP_MS) {
    ev.calls++;
    let status = 0;
    let retryAfter = 0;
    try {
      const res = await fetch(`${baseUrl}/api/v1/projects/${p.id}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json', 'idempotency-key': ev.idempotencyKey },
        body,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      const text = await res.text();
      status = res.status;
      retryAfter = Number(res.headers.get('retry-after') ?? 0);
      if (status >= 200 && status < 300) {
        if (!ev.acked) ev.ackedAt = Date.now();
        ev.acked = true;
        ev.uids.add((JSON.parse(text) as { data: { uid: string } }).data.uid);
        return;
      }
    } catch {
      status = 0;
    }
    if (status === 502 || status === 504) answers.gateway++;
    else if (status === 503) answers.unavailable++;
    else if (status !== 0) ev.badStatuses.push(status);
    if (status >= 400 && status < 500) return;
    ev.ambiguous++;
    await sleep(Math.min(2000, Math.max(backoff, retryAfter * 1000)));
    backoff = Math.min(2000, backoff * 2);
  }
}

/** What the readers saw on the lag-tolerant routes through the load balancer. */
export interface ReadScore {
  calls: number;
  byStatus: Map<number, number>;
  /** GET of an event acknowledged longer ago than the lag bound (+ probe + slack) that answered 404 */
  staleBeyondBound: number;
  /** GET of an event acknowledged moments ago that answered 404: the lag a caller may see */
  staleWithinBound: number;
}

/**
 * Reads list and get routes through nginx while the load and the faults run. Every answer
 * must be 200; a 404 for an event acknowledged more than `boundMs` ago means a replica
 * further behind than DATABASE_REPLICA_MAX_LAG_MS served a read.
 */
export async function readLoop(baseUrl: string, p: Project, events: SentEvent[], boundMs: number, stop: () => boolean, score: ReadScore): Promise<void> {
  const auth = { authorization: `Bearer ${p.key}` };
  let i = 0;
  while (!stop()) {
    const acked = events.filter((e) => e.acked && e.uids.size > 0);
    const paths = ['/events?perPage=20', '/eventdeliveries?perPage=20'];
    let probe: SentEvent | undefined;
    if (acked.length) {
      probe = acked[Math.floor(Math.random() * acked.length)];
      paths.push(`/events/${[...probe.uids][0]}`);
    }
    const path = paths[i++ % paths.length];
    score.calls++;
    let status = 0;
    try {
      const res = await fetch(`${baseUrl}/api/v1/projects/${p.id}${path}`, { headers: auth, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      await res.text();
      status = res.status;
    } catch {
      status = 0;
    }
    score.byStatus.set(status, (score.byStatus.get(status) ?? 0) + 1);
    if (status === 404 && probe && path.startsWith('/events/')) {
      if (Date.now() - probe.ackedAt > boundMs) score.staleBeyondBound++;
      else score.staleWithinBound++;
    }
    await sleep(40);
  }
}

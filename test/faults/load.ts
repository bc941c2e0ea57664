import { createHmac } from 'node:crypto';
import { sleep } from './infra';

/** What the producer saw for one event it tried to send. */
export interface SentEvent {
  fid: string;
  fault: string;
  idempotencyKey: string;
  /** endpoints (`<fault>/<name>`) that must receive it */
  endpoints: string[];
  acked: boolean;
  /** when the first 2xx arrived */
  ackedAt: number;
  /** Caravan's event ids from every 2xx answer; more than one would break idempotency */
  uids: Set<string>;
  /** calls whose outcome the producer could not know: timeouts, resets, 503 */
  ambiguous: number;
  /** answers that break the contract: anything but 2xx or 503 */
  badStatuses: number[];
  calls: number;
}

export interface Project {
  id: string;
  key: string;
}

const CALL_TIMEOUT_MS = 10_000;
/** How long one event is retried before the producer gives up on it (it then counts as not acknowledged). */
const GIVE_UP_MS = 90_000;

/** A minimal client of the REST API for set-up: fails loudly, since set-up runs with no fault injected. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminKey: string,
  ) {}

  async call<T>(method: string, path: string, key: string, body?: unknown, expect = [200, 201, 202]): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { data: T }).data;
  }

  async project(name: string, strategy: { duration: number; retry_count: number }, breaker: Record<string, number> = {}): Promise<Project> {
    const data = await this.call<{ project: { uid: string }; api_key: { key: string } }>('POST', '/api/v1/projects', this.adminKey, {
      name,
      type: 'outgoing',
      config: {
        ssl: { enforce_secure_endpoints: false },
        strategy: { type: 'linear', ...strategy },
        // the suite measures durability, not throttling: no rate limit, and a breaker on the
        // same seconds scale as the retry schedule
        ratelimit: { count: 0, duration: 1 },
        circuit_breaker: { error_timeout: 2, sample_rate: 1, ...breaker },
      },
    });
    return { id: data.project.uid, key: data.api_key.key };
  }

  /** An endpoint and its subscription: to the event types given, or to every event of `sourceId`. */
  async endpoint(p: Project, name: string, url: string, eventTypes = ['*'], sourceId?: string): Promise<{ uid: string; secret: string; advanced: boolean }> {
    const data = await this.call<{ uid: string; secrets: { value: string }[]; advanced_signatures: boolean }>(
      'POST',
      `/api/v1/projects/${p.id}/endpoints`,
      p.key,
      { name, url, http_timeout: 5 },
    );
    await this.call('POST', `/api/v1/projects/${p.id}/subscriptions`, p.key, {
      name: `sub-${name}`,
      endpoint_id: data.uid,
      filter_config: { event_types: eventTypes },
      ...(sourceId ? { source_id: sourceId } : {}),
    });
    return { uid: data.uid, secret: data.secrets[data.secrets.length - 1].value, advanced: data.advanced_signatures };
  }

  /** An incoming project with one HMAC-verified source that dedupes on a header, as a provider's retries need. */
  async incomingProject(name: string, strategy: { duration: number; retry_count: number }): Promise<Project & { source: IngestSource }> {
    const data = await this.call<{ project: { uid: string }; api_key: { key: string } }>('POST', '/api/v1/projects', this.adminKey, {
      name,
      type: 'incoming',
      config: {
        ssl: { enforce_secure_endpoints: false },
        strategy: { type: 'linear', ...strategy },
        ratelimit: { count: 0, duration: 1 },
        circuit_breaker: { error_timeout: 2, sample_rate: 1 },
      },
    });
    const p = { id: data.project.uid, key: data.api_key.key };
    const secret = `fault-source-${name}`;
    const src = await this.call<{ uid: string; mask_id: string }>('POST', `/api/v1/projects/${p.id}/sources`, p.key, {
      name: `${name}-source`,
      type: 'http',
      verifier: { type: 'hmac', hmac: { header: 'X-Fault-Signature', hash: 'SHA256', encoding: 'hex', secret } },
      idempotency_keys: ['request.header.X-Fault-Id'],
    });
    return { ...p, source: { id: src.uid, maskId: src.mask_id, secret } };
  }
}

export interface IngestSource {
  id: string;
  maskId: string;
  secret: string;
}

/** One try of a send: the status (0 = no answer), Retry-After in seconds, and the event id when the answer names one. */
type Attempt = () => Promise<{ status: number; retryAfter: number; uid?: string }>;

async function post(url: string, headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
}

/**
 * Sends one event the way a careful producer does: the same idempotency key on every try,
 * retrying whatever might not have been stored (timeouts, resets, refused connections,
 * 503), and stopping at the first 2xx.
 */
export async function sendEvent(api: ApiClient, p: Project, ev: SentEvent, path: string, extra: Record<string, unknown>, stopAt: () => boolean): Promise<void> {
  const body = JSON.stringify({ event_type: 'fault.test', data: { fid: ev.fid, fault: ev.fault }, idempotency_key: ev.idempotencyKey, ...extra });
  await sendUntilAcked(ev, stopAt, async () => {
    const res = await post(`${api.baseUrl}/api/v1/projects/${p.id}${path}`, { authorization: `Bearer ${p.key}` }, body);
    const text = await res.text();
    const uid = res.status >= 200 && res.status < 300 ? (JSON.parse(text) as { data: { uid: string } }).data.uid : undefined;
    return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 0), uid };
  });
}

/**
 * Sends one event as a provider's webhook to `/ingest/{maskID}`, signed, with the same
 * delivery id on every try (the source dedupes on it), as providers retry.
 */
export async function sendWebhook(api: ApiClient, src: IngestSource, ev: SentEvent, stopAt: () => boolean): Promise<void> {
  const body = JSON.stringify({ fid: ev.fid, fault: ev.fault });
  const signature = createHmac('sha256', src.secret).update(body).digest('hex');
  await sendUntilAcked(ev, stopAt, async () => {
    const res = await post(`${api.baseUrl}/ingest/${src.maskId}`, { 'x-fault-signature': signature, 'x-fault-id': ev.idempotencyKey }, body);
    await res.text();
    return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
  });
}

async function sendUntilAcked(ev: SentEvent, stopAt: () => boolean, attempt: Attempt): Promise<void> {
  const started = Date.now();
  let backoff = 200;
  while (Date.now() - started < GIVE_UP_MS && !stopAt()) {
    ev.calls++;
    let status = 0;
    let retryAfter = 0;
    let uid: string | undefined;
    try {
      ({ status, retryAfter, uid } = await attempt());
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) {
      if (!ev.acked) ev.ackedAt = Date.now();
      ev.acked = true;
      if (uid !== undefined) ev.uids.add(uid);
      return;
    }
    if (status !== 0 && status !== 503) ev.badStatuses.push(status);
    if (status >= 400 && status < 500) return;
    ev.ambiguous++;
    await sleep(Math.min(2000, Math.max(backoff, retryAfter * 1000)));
    backoff = Math.min(2000, backoff * 2);
  }
}

/**
 * Sends `events` spread evenly over `durationMs` with at most `concurrency` calls in
 * flight; `onProgress` sees the share sent so far, which is how faults are timed.
 */
export async function runLoad(
  api: ApiClient,
  p: Project,
  events: SentEvent[],
  opts: { durationMs: number; concurrency: number; send: (ev: SentEvent) => Promise<void>; onProgress?: (share: number) => void },
): Promise<void> {
  const started = Date.now();
  const gap = opts.durationMs / Math.max(1, events.length);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const due = started + i * gap;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      opts.onProgress?.(i / events.length);
      await opts.send(events[i]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, () => lane()));
  opts.onProgress?.(done / events.length);
}

export function newEvents(fault: string, runId: string, n: number, endpoints: string[]): SentEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    fid: `${fault}-${i}`,
    fault,
    idempotencyKey: `${runId}-${fault}-${i}`,
    endpoints,
    acked: false,
    ackedAt: 0,
    uids: new Set<string>(),
    ambiguous: 0,
    badStatuses: [],
    calls: 0,
  }));
}

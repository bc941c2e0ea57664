/**
 * The contract of the `deliveries` and `retries` queues. A job carries ids only; the worker
 * re-reads the delivery from PostgreSQL and claims it there, so a job is a wake-up hint and
 * never the record (docs/architecture.md, "The durability contract").
 */
export interface DeliveryJob {
  deliveryId: string;
  generation: number;
  endpointId: string;
  /** set on deferred jobs only: what the endpoint gate decided last time (a hint, never the record) */
  deferrals?: number;
  /** the rate limiter reserved this delivery's send under this token (see endpoint-health's rate window) */
  rateToken?: string;
  /** jobs written before rate tokens: a reservation was made, under a token now unknown */
  rateBooked?: boolean;
  /** W3C traceparent of the span that made the job (ingest, or the attempt before a retry), when tracing is on */
  traceparent?: string;
}

/** What a deferral tells the next attempt of the same delivery. */
export interface DeferralHints {
  deferrals: number;
  rateToken?: string;
}

/** A delivery row that is due (or will be) and may need a job. */
export interface Wakeable {
  id: string;
  generation: number;
  endpoint_id: string;
  /** the project, for the fair priority of its job */
  project_id: string;
  attempts: number;
  /** the trace the job continues (see DeliveryJob.traceparent); the active span's when absent */
  traceparent?: string;
}

export const DELIVERY_JOB_NAME = 'deliver';

/** Retries wait in the database beyond this; the sweeper enqueues them when due. */
export const MAX_QUEUE_DELAY_MS = 15 * 60 * 1000;

/** `<deliveryId>-<generation>`: a retained old job can never swallow a re-enqueue. */
export function deliveryJobId(deliveryId: string, generation: number): string {
  return `${deliveryId}-${generation}`;
}

/**
 * Redis keys of an endpoint's health, shared by the worker that writes them and the api
 * that shows them (the client adds the deployment's prefix).
 */
export const healthKeys = (endpointId: string) => ({
  /** breaker state hash: phase, opened_at, probe_ok, trips, version, failure_rate */
  breaker: `eh:${endpointId}:cb`,
  /** attempt counts per time bucket: `<bucket>:s` / `<bucket>:f` */
  window: `eh:${endpointId}:cbw`,
  /** the single half-open probe lease */
  probe: `eh:${endpointId}:probe`,
  /** failed attempts in a row, across workers */
  failures: `eh:${endpointId}:fails`,
  /** the rate limit's sliding log: recent send times and reservations (a sorted set) */
  rate: `eh:${endpointId}:rlog`,
  /** concurrency slots, scored by lease expiry */
  slots: `eh:${endpointId}:slots`,
});

/** Convoy's spelling of the phases on the endpoint read. */
export type CbStateName = 'closed' | 'open' | 'half-open';

export interface EndpointHealthView {
  cb_state: CbStateName | null;
  /** percent of failed attempts in the observability window; null before any sample */
  failure_rate: number | null;
}

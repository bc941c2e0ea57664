/** The endpoint timeout a delivery is leased for when its endpoint is gone (Convoy's default timeout). */
export const DEFAULT_HTTP_TIMEOUT_S = 60;

/**
 * How long a claimed delivery, its concurrency slot and its breaker probe stay owned: the
 * endpoint's whole deadline plus a grace (DELIVERY_LEASE_GRACE_MS). A worker that dies
 * mid-send loses them when it runs out; a live one has long recorded its attempt.
 */
export function deliveryLeaseMs(httpTimeoutSeconds: number | undefined, graceMs: number): number {
  return (httpTimeoutSeconds ?? DEFAULT_HTTP_TIMEOUT_S) * 1000 + graceMs;
}

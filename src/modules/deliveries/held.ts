/**
 * A delivery waiting for its endpoint (paused, or disabled by the gateway) is "held": it
 * stays Scheduled or Retry with this next-attempt time, which no sweep ever reaches, until
 * the endpoint is activated and the deliveries are released.
 */
export const HELD_UNTIL_SQL = `'9999-12-31 00:00:00+00'::timestamptz`;
export const HELD_UNTIL = new Date('9999-12-31T00:00:00Z');

export function isHeld(nextAttemptAt: Date): boolean {
  return nextAttemptAt.getTime() >= HELD_UNTIL.getTime();
}

import { AttemptVerdict, MAX_RETRY_DELAY_MS, nextRetryDelayMs, RandomSource, retryAfterMs, RetryStrategy } from '../../../common/retry-policy';
import type { DeliveryStatus } from '../delivery.entity';
import type { SendOutcome } from '../../webhook-http';

export interface Transition {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  description: string;
  /** retries get a new generation, so their job id is new */
  bumpGeneration: boolean;
}

export interface AttemptedDelivery {
  /** attempts made before this one */
  attempts: number;
  retry_limit: number;
  delivery_mode: 'at_least_once' | 'at_most_once';
}

/** A transition that ends the delivery without an attempt (endpoint gone, signing impossible, ...). */
export function ended(status: 'Success' | 'Failure' | 'Discarded', description: string): Transition {
  return { status, nextAttemptAt: null, description, bumpGeneration: false };
}

/**
 * The delivery's next state after an attempt, from the attempt's verdict: Success; Retry on
 * the project's schedule (a receiver's Retry-After lengthens the wait, up to a day); or
 * Failure when the verdict says retrying cannot help, the delivery is at-most-once, or the
 * attempts are used up (retry_limit counts the first attempt, as Convoy's num_trials does).
 */
export function nextState(
  d: AttemptedDelivery,
  o: SendOutcome,
  verdict: AttemptVerdict,
  strategy: RetryStrategy,
  now: Date,
  random: RandomSource = Math.random,
): Transition {
  if (verdict.success) return ended('Success', '');
  const attemptsMade = d.attempts + 1;
  const reason = o.errorClass ? `${o.errorClass}: ${o.error}` : o.error;
  if (d.delivery_mode === 'at_most_once') return ended('Failure', `${reason} (at_most_once: not retried)`);
  if (!verdict.retryable) return ended('Failure', `${reason} (not retryable)`);
  if (attemptsMade >= d.retry_limit) return ended('Failure', `${reason} (retry limit reached)`);
  let delay = nextRetryDelayMs(strategy, attemptsMade, random);
  const asked = retryAfterMs(o.retryAfter, now);
  if (asked !== undefined) delay = Math.min(Math.max(delay, asked), MAX_RETRY_DELAY_MS);
  return { status: 'Retry', nextAttemptAt: new Date(now.getTime() + delay), description: reason, bumpGeneration: true };
}

import type { AttemptVerdict } from '../../../common/retry-policy';

export interface AutoDisableSettings {
  disable_endpoint: boolean;
  circuit_breaker: { consecutive_failure_threshold: number };
}

export interface DisableDecision {
  cause: 'gone' | 'failures';
  detail: string;
}

/**
 * Whether an attempt disables its endpoint: a 410 Gone at once (the verdict says so); a
 * streak of failures the endpoint is to blame for when the project opted in
 * (`disable_endpoint`) and the streak reaches `consecutive_failure_threshold`.
 */
export function autoDisableDecision(verdict: AttemptVerdict, streak: number | undefined, settings: AutoDisableSettings): DisableDecision | undefined {
  if (verdict.disablesEndpoint) return { cause: 'gone', detail: 'endpoint answered 410 Gone' };
  if (verdict.success || !verdict.blamesEndpoint || !settings.disable_endpoint || streak === undefined) return undefined;
  if (streak >= Math.max(1, settings.circuit_breaker.consecutive_failure_threshold))
    return { cause: 'failures', detail: `${streak} consecutive failed attempts` };
  return undefined;
}

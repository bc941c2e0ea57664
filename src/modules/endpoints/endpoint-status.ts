import { conflict } from '../../common/errors/domain-error';

export const ENDPOINT_STATUSES = ['active', 'paused', 'inactive'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

const AUTO_DISABLE_REASON_PREFIX = 'auto-disabled';

/** The status-change reason of an endpoint the gateway disabled (endpoint-health writes it, meta events read it). */
export function autoDisableReason(detail: string): string {
  return `${AUTO_DISABLE_REASON_PREFIX}: ${detail}`;
}

export function isAutoDisableReason(reason: string | undefined): boolean {
  return reason?.startsWith(AUTO_DISABLE_REASON_PREFIX) ?? false;
}

/**
 * Convoy's pause toggles active and paused. An inactive endpoint was disabled (by hand
 * or after failing); pausing it would hide that, so it must be activated first.
 */
export function pauseToggled(from: EndpointStatus): EndpointStatus {
  if (from === 'active') return 'paused';
  if (from === 'paused') return 'active';
  throw conflict('endpoint_inactive', 'an inactive endpoint cannot be paused or resumed; activate it first');
}

/** Activation is idempotent: an active endpoint stays active. */
export function activated(_from: EndpointStatus): EndpointStatus {
  return 'active';
}

/** Convoy's `is_disabled` on create/update: true disables; false re-enables a disabled endpoint only. */
export function applyDisabledFlag(from: EndpointStatus, isDisabled: boolean | undefined): EndpointStatus {
  if (isDisabled === undefined) return from;
  if (isDisabled) return 'inactive';
  return from === 'inactive' ? 'active' : from;
}

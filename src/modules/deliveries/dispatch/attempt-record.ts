import { newId } from '../../../common/ids';
import type { AttemptRecord } from '../delivery-state.repository';
import type { SendOutcome } from '../../webhook-http';

export const REDACTED = '[redacted]';

/** The attempt row of one send; stored request headers never keep the endpoint's credentials. */
export function attemptRecord(url: string, requestHeaders: Record<string, string>, credentialHeaders: string[], o: SendOutcome): AttemptRecord {
  return {
    id: newId(),
    url,
    ipAddress: o.ipAddress,
    requestHeaders: redact(requestHeaders, credentialHeaders),
    responseHeaders: o.headers,
    httpStatus: o.status !== undefined ? String(o.status) : '',
    responseData: o.body,
    error: o.error,
    errorClass: o.errorClass,
    ok: o.ok,
    durationMs: o.durationMs,
    requestedAt: o.requestedAt,
    respondedAt: o.respondedAt ?? null,
  };
}

function redact(headers: Record<string, string>, secretNames: string[]): Record<string, string> {
  const secret = new Set(secretNames.map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = secret.has(k.toLowerCase()) ? REDACTED : v;
  return out;
}

import { timingSafeEqual } from 'node:crypto';

/**
 * Who may read `/metrics` (its series name every tenant's endpoints): with METRICS_TOKEN
 * set, only a caller presenting `Authorization: Bearer <token>`, on every port; without
 * it, the side ports of the worker and egress roles (internal by deployment) serve it and
 * the public API port does not.
 */
export function metricsAllowed(token: string | undefined, authorization: string | string[] | undefined, publicPort: boolean): boolean {
  if (!token) return !publicPort;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

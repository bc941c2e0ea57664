import type { SealedSecret } from '../../common/crypto/secret-box';
/**
 * A project's configuration in Convoy's shape (snake_case, as stored and as served).
 * Defaults follow Convoy's; which settings are enforced is listed in the README.
 */
export interface SignatureVersion {
  uid: string;
  hash: 'SHA256' | 'SHA512';
  encoding: 'hex' | 'base64';
  created_at: string;
}

export interface ProjectConfig {
  max_payload_read_size: number;
  replay_attacks_prevention_enabled: boolean;
  add_event_id_trace_headers: boolean;
  /** Caravan: deliveries carry a W3C `traceparent` continuing the gateway's trace (when tracing is on) */
  add_traceparent_header?: boolean;
  disable_endpoint: boolean;
  multiple_endpoint_subscriptions: boolean;
  search_policy: string;
  /** Caravan: how long this project's events are kept (Go duration, `0` = for ever); absent = RETENTION_POLICY */
  retention_policy?: string;
  /** Caravan: 'convoy' (X-Convoy-Signature) or 'standard' (Standard Webhooks) */
  signature_scheme: 'convoy' | 'standard';
  ratelimit: { count: number; duration: number };
  strategy: { type: 'linear' | 'exponential'; duration: number; retry_count: number };
  signature: { header: string; versions: SignatureVersion[] };
  ssl: { enforce_secure_endpoints: boolean };
  /** `secret` is sealed at rest (AES-256-GCM); a plain string is what rows written before sealing hold */
  meta_event: { is_enabled: boolean; type: 'http'; url: string; event_type: string[]; secret?: string | SealedSecret };
  circuit_breaker: {
    sample_rate: number;
    error_timeout: number;
    failure_threshold: number;
    success_threshold: number;
    observability_window: number;
    minimum_request_count: number;
    consecutive_failure_threshold: number;
  };
}

export function defaultProjectConfig(now: Date, uid: string): ProjectConfig {
  return {
    max_payload_read_size: 256 * 1024,
    replay_attacks_prevention_enabled: false,
    add_event_id_trace_headers: false,
    add_traceparent_header: false,
    disable_endpoint: false,
    multiple_endpoint_subscriptions: false,
    search_policy: '720h',
    signature_scheme: 'convoy',
    // the per-endpoint default Convoy documents (5,000 a minute); endpoints can set their own
    ratelimit: { count: 5000, duration: 60 },
    strategy: { type: 'linear', duration: 100, retry_count: 10 },
    signature: { header: 'X-Convoy-Signature', versions: [{ uid, hash: 'SHA256', encoding: 'hex', created_at: now.toISOString() }] },
    ssl: { enforce_secure_endpoints: true },
    meta_event: { is_enabled: false, type: 'http', url: '', event_type: [] },
    circuit_breaker: {
      sample_rate: 30,
      error_timeout: 30,
      failure_threshold: 70,
      success_threshold: 5,
      observability_window: 5,
      minimum_request_count: 10,
      consecutive_failure_threshold: 10,
    },
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type ProjectConfigPatch = DeepPartial<ProjectConfig>;

/** Merges a validated patch over a base config, one level of nesting deep (Convoy's shape). */
export function mergeProjectConfig(base: ProjectConfig, patch: ProjectConfigPatch | undefined): ProjectConfig {
  if (!patch) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const cur = (base as unknown as Record<string, unknown>)[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      out[k] = { ...cur, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) };
    } else {
      out[k] = v;
    }
  }
  return out as unknown as ProjectConfig;
}

/** Config as served: the meta-event secret is never echoed back. */
export function publicProjectConfig(c: ProjectConfig): ProjectConfig {
  const { secret: _secret, ...meta } = c.meta_event;
  void _secret;
  // Caravan sends meta events over HTTP only: Convoy's pub_sub target is always null here
  return { ...c, meta_event: { ...meta, pub_sub: null } } as ProjectConfig;
}

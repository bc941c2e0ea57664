/**
 * Every environment variable Caravan reads, with its default and its parser.
 * Nothing outside libs/config reads process.env: the rest of the code receives the
 * typed, validated CaravanConfig built here once at start-up.
 */

export type Parser<T> = (raw: string, name: string) => T;

export interface VariableSpec<T> {
  readonly name: string;
  readonly default: string | undefined;
  readonly parse: Parser<T>;
  readonly doc: string;
}

class ConfigValueError extends Error {}

function fail(message: string): never {
  throw new ConfigValueError(message);
}

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go-style duration (`720h`, `1h30m`, `90s`) in milliseconds, as Convoy's settings take
 * them; `0`, `off` and the empty string mean 0 (disabled). Undefined when malformed.
 */
export function parseGoDuration(raw: string): number | undefined {
  const text = raw.trim().toLowerCase();
  if (text === '' || text === '0' || text === 'off') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * GO_DURATION_UNITS[m[2]];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export const parsers = {
  string: (raw: string): string => raw,
  port: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 0 || n > 65535) fail(`must be a port number 0-65535, got "${raw}"`);
    return n;
  },
  int:
    (min: number, max: number): Parser<number> =>
    (raw: string) => {
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || n < min || n > max) fail(`must be an integer in [${min}, ${max}], got "${raw}"`);
      return n;
    },
  bool: (raw: string): boolean => {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
    return fail(`must be true or false, got "${raw}"`);
  },
  url:
    (protocols: string[]): Parser<string> =>
    (raw: string) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return fail(`must be a URL, got "${raw}"`);
      }
      if (!protocols.includes(u.protocol)) fail(`must use ${protocols.join(' or ')}, got "${u.protocol}"`);
      return raw;
    },
  urlList:
    (protocols: string[]): Parser<string[]> =>
    (raw: string) =>
      parsers.list(raw).map((item) => parsers.url(protocols)(item, '')),
  optionalUrl:
    (protocols: string[]): Parser<string | undefined> =>
    (raw: string) =>
      raw === '' ? undefined : parsers.url(protocols)(raw, ''),
  list: (raw: string): string[] =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  oneOf:
    <T extends string>(values: readonly T[]): Parser<T> =>
    (raw: string) => {
      if (!(values as readonly string[]).includes(raw)) fail(`must be one of ${values.join(', ')}, got "${raw}"`);
      return raw as T;
    },
  fraction:
    (min: number, max: number): Parser<number> =>
    (raw: string) => {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) fail(`must be a number from ${min} to ${max}, got "${raw}"`);
      return n;
    },
  someOf:
    <T extends string>(values: readonly T[]): Parser<T[]> =>
    (raw: string) => {
      const items = parsers.list(raw);
      if (items.length === 0) fail(`must name at least one of ${values.join(', ')}`);
      for (const item of items) if (!(values as readonly string[]).includes(item)) fail(`"${item}" is not one of ${values.join(', ')}`);
      return [...new Set(items)] as T[];
    },
  optionalSecret:
    (minLength: number): Parser<string | undefined> =>
    (raw: string) => {
      if (raw === '') return undefined;
      if (raw.length < minLength) fail(`must be at least ${minLength} characters`);
      return raw;
    },
  encryptionKey: (raw: string): Buffer | undefined => {
    if (raw === '') return undefined;
    const buf = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (buf.length !== 32) fail('must be 32 bytes, as 64 hex characters or base64');
    return buf;
  },
  credentials: (raw: string): { user: string; password: string } | undefined => {
    if (raw === '') return undefined;
    const i = raw.indexOf(':');
    if (i <= 0 || i === raw.length - 1) fail('must be user:password');
    return { user: raw.slice(0, i), password: raw.slice(i + 1) };
  },
  optionalEmails: (raw: string): string[] => {
    const items = parsers.list(raw);
    for (const item of items) if (!/^[^\s@<>,]+@[^\s@<>,]+$/.test(item)) fail(`"${item}" is not an email address`);
    return items;
  },
  goDuration: (raw: string): number => parseGoDuration(raw) ?? fail(`must be a duration like 720h, 30m or 0 (off), got "${raw}"`),
  hostPortList: (raw: string): string[] => {
    const items = parsers.list(raw);
    for (const item of items) {
      if (!/^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(item)) fail(`"${item}" is not host[:port]`);
    }
    return items;
  },
};

export function isConfigValueError(e: unknown): e is Error {
  return e instanceof ConfigValueError;
}

function v<T>(name: string, def: string | undefined, parse: Parser<T>, doc: string): VariableSpec<T> {
  return { name, default: def, parse, doc };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What a worker process can run; each pod may run some of them (WORKER_DUTIES). */
export const WORKER_DUTIES = ['deliveries', 'routing', 'meta-events', 'secret-purge', 'retention', 'brokers', 'notifications'] as const;
export type WorkerDuty = (typeof WORKER_DUTIES)[number];

/** The single list of variables; README's configuration table mirrors it. */
export const VARIABLES = {
  port: v('PORT', '5005', parsers.port, 'HTTP port of the api role'),
  host: v('HOST', '0.0.0.0', parsers.string, 'listen address of the api role and of the worker health port'),
  databaseUrl: v('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/caravan', parsers.url(['postgres:', 'postgresql:']), 'PostgreSQL connection URL'),
  databasePoolSize: v('DATABASE_POOL_SIZE', '20', parsers.int(1, 500), 'connections per process'),
  databasePreparedStatements: v(
    'DATABASE_PREPARED_STATEMENTS',
    'true',
    parsers.bool,
    'prepare the hot statements once per connection; false for a pooler that cannot keep them (PgBouncer in transaction mode before 1.21)',
  ),
  databaseStatementTimeoutMs: v('DATABASE_STATEMENT_TIMEOUT_MS', '15000', parsers.int(0, 3_600_000), 'statement_timeout of app connections (0 = none)'),
  databaseReadReplicas: v(
    'DATABASE_READ_REPLICAS',
    '',
    parsers.urlList(['postgres:', 'postgresql:']),
    'comma-separated PostgreSQL URLs of streaming replicas; the API reads list, get and search routes from a healthy one (Convoy: `read_replicas`)',
  ),
  databaseReplicaMaxLagMs: v(
    'DATABASE_REPLICA_MAX_LAG_MS',
    '5000',
    parsers.int(0, 3_600_000),
    'a replica further behind the primary than this (or down) is skipped and the primary serves its reads',
  ),
  databaseReplicaProbeMs: v('DATABASE_REPLICA_PROBE_MS', '1000', parsers.int(100, 600_000), "how often each api process measures every replica's lag"),
  databaseReplicaPoolSize: v('DATABASE_REPLICA_POOL_SIZE', '10', parsers.int(1, 500), 'connections per process to each replica'),
  redisUrl: v('REDIS_URL', 'redis://127.0.0.1:6379', parsers.url(['redis:', 'rediss:']), 'Redis connection URL'),
  redisPassword: v('REDIS_PASSWORD', '', parsers.string, "password of the Redis servers (overrides REDIS_URL's); with Sentinel, of the master and replicas"),
  redisSentinels: v(
    'REDIS_SENTINELS',
    '',
    parsers.hostPortList,
    'comma-separated Sentinel host:port pairs; when set, every Redis connection asks them for the master named REDIS_SENTINEL_MASTER and follows failovers (REDIS_URL then gives only the database number and TLS)',
  ),
  redisSentinelMaster: v('REDIS_SENTINEL_MASTER', 'mymaster', parsers.string, 'the master name the Sentinels monitor'),
  redisSentinelPassword: v('REDIS_SENTINEL_PASSWORD', '', parsers.string, 'password of the Sentinels themselves (requirepass in sentinel.conf)'),
  redisPrefix: v('REDIS_PREFIX', 'caravan', parsers.string, 'prefix of every Redis key (queues included)'),
  adminKey: v('CARAVAN_ADMIN_KEY', '', parsers.optionalSecret(16), 'instance admin key; when unset, `bootstrap` creates one and prints it once'),
  encryptionKey: v(
    'CARAVAN_ENCRYPTION_KEY',
    '',
    parsers.encryptionKey,
    'AES-256-GCM key for secrets at rest (64 hex chars or base64 of 32 bytes); when unset a key is generated and kept in the database (development only)',
  ),
  logLevel: v('LOG_LEVEL', 'info', parsers.oneOf(LOG_LEVELS), 'log level'),
  workerConcurrency: v('WORKER_CONCURRENCY', '50', parsers.int(1, 1000), 'deliveries in flight per worker process'),
  projectMaxEndpoints: v('PROJECT_MAX_ENDPOINTS', '25000', parsers.int(1, 10_000_000), 'live endpoints one project may have'),
  projectMaxSubscriptions: v('PROJECT_MAX_SUBSCRIPTIONS', '25000', parsers.int(1, 10_000_000), 'live subscriptions one project may have'),
  projectMaxEventTypes: v('PROJECT_MAX_EVENT_TYPES', '500', parsers.int(1, 100_000), 'event types one project may have'),
  projectMaxApiKeys: v('PROJECT_MAX_API_KEYS', '100', parsers.int(1, 100_000), 'live API keys one project may have'),
  workerProjectShare: v(
    'WORKER_PROJECT_SHARE',
    '0.9',
    parsers.fraction(0.05, 1),
    "the part of a worker's delivery slots one project may hold while it is the only one with work; with several, each gets an even part",
  ),
  workerDuties: v(
    'WORKER_DUTIES',
    WORKER_DUTIES.join(','),
    parsers.someOf(WORKER_DUTIES),
    'what a worker process runs: deliveries (send, retry, sweep), routing (replays, unrouted events), meta-events, secret-purge, retention, brokers (pub/sub source consumers), notifications (operator email and Slack)',
  ),
  metricsToken: v(
    'METRICS_TOKEN',
    '',
    parsers.optionalSecret(16),
    'bearer token for /metrics on every port; when unset, /metrics is served on the worker and egress health ports only, not on the API port',
  ),
  workerHealthPort: v('WORKER_HEALTH_PORT', '5006', parsers.port, 'health and metrics port of the worker role (0 = off)'),
  sweepIntervalMs: v('SWEEP_INTERVAL_MS', '1000', parsers.int(100, 600_000), 'how often each worker re-enqueues due and expired deliveries'),
  leaseGraceMs: v('DELIVERY_LEASE_GRACE_MS', '15000', parsers.int(1000, 600_000), 'lease = endpoint timeout + this grace'),
  apiRateLimit: v(
    'API_RATE_LIMIT',
    '2000',
    parsers.int(0, 10_000_000),
    'requests per second one project API key may make, counted across all pods (0 = no limit); past it 429 with Retry-After',
  ),
  ingestRateLimit: v(
    'INGEST_RATE_LIMIT',
    '2000',
    parsers.int(0, 10_000_000),
    'events per second one project may send through the API, counted across all pods (0 = no limit)',
  ),
  ingestBaseUrl: v(
    'INGEST_BASE_URL',
    '',
    parsers.optionalUrl(['http:', 'https:']),
    "public base URL of the api, shown in each source's `url` (`<base>/ingest/<mask_id>`); unset = http://localhost:PORT",
  ),
  portalBaseUrl: v(
    'PORTAL_BASE_URL',
    '',
    parsers.optionalUrl(['http:', 'https:']),
    "public base URL shown in each portal link's `url` (`<base>/portal?token=…`); unset = INGEST_BASE_URL, else http://localhost:PORT",
  ),
  portalTokenTtlSeconds: v(
    'PORTAL_TOKEN_TTL_SECONDS',
    '3600',
    parsers.int(60, 30 * 24 * 3600),
    'how long a token of a `refresh_token` portal link opens the portal API; static tokens do not expire',
  ),
  sourceRateLimit: v(
    'SOURCE_RATE_LIMIT',
    '1000',
    parsers.int(0, 10_000_000),
    'requests per second one source accepts on /ingest unless it sets its own rate_limit, counted across all pods (0 = no limit); past it 429 with Retry-After',
  ),
  apiRequestTimeoutMs: v(
    'API_REQUEST_TIMEOUT_MS',
    '30000',
    parsers.int(1000, 600_000),
    'the most time a client may take to send a whole request (headers and body)',
  ),
  apiHeadersTimeoutMs: v('API_HEADERS_TIMEOUT_MS', '10000', parsers.int(1000, 600_000), 'the most time a client may take to send the request headers'),
  maxBodyBytes: v('API_MAX_BODY_BYTES', '1048576', parsers.int(1024, 64 * 1024 * 1024), 'hard cap of any API request body (projects can set lower)'),
  endpointMaxConcurrency: v(
    'ENDPOINT_MAX_CONCURRENCY',
    '20',
    parsers.int(0, 10_000),
    "deliveries in flight to one endpoint across all workers; an endpoint's max_concurrency may lower it, never raise it (0 = no cap)",
  ),
  endpointBusyDeferMs: v(
    'ENDPOINT_BUSY_DEFER_MS',
    '25',
    parsers.int(10, 60_000),
    'base delay before a delivery refused by a full concurrency cap is tried again (plus up to as much jitter)',
  ),
  secretPurgeIntervalMs: v(
    'SECRET_PURGE_INTERVAL_MS',
    '60000',
    parsers.int(1000, 86_400_000),
    'how often a worker removes endpoint secrets whose expiry has passed',
  ),
  retentionPolicy: v(
    'RETENTION_POLICY',
    '720h',
    parsers.goDuration,
    "how long events, deliveries, attempts and meta events are kept (Go duration; `0` or `off` keeps them for ever); a project's `retention_policy` overrides it",
  ),
  retentionIntervalMs: v(
    'RETENTION_INTERVAL_MS',
    '3600000',
    parsers.int(10_000, 7 * 86_400_000),
    'how often a worker tries a retention run (one runs at a time in the cluster)',
  ),
  retentionBatchSize: v('RETENTION_BATCH_SIZE', '2000', parsers.int(10, 50_000), 'rows one retention statement looks at'),
  retentionBatchPauseMs: v(
    'RETENTION_BATCH_PAUSE_MS',
    '50',
    parsers.int(0, 60_000),
    'pause between two retention statements, so ingest and delivery keep their pace',
  ),
  retentionExportDir: v(
    'RETENTION_EXPORT_DIR',
    '',
    parsers.string,
    'when set, rows are written here as gzipped JSON lines (one file per table and run) before they are removed',
  ),
  searchTimeoutMs: v('SEARCH_TIMEOUT_MS', '5000', parsers.int(100, 600_000), 'statement timeout of an event search (`query`, `body`); past it 504'),
  brokerSourcePollMs: v(
    'BROKER_SOURCE_POLL_MS',
    '30000',
    parsers.int(1000, 3_600_000),
    'how often a worker with the brokers duty re-reads the pub/sub sources besides hearing of changes at once',
  ),
  metaEventPollMs: v('META_EVENT_POLL_MS', '1000', parsers.int(50, 600_000), 'how often a worker looks for due meta events to send'),
  metaEventRetryLimit: v('META_EVENT_RETRY_LIMIT', '5', parsers.int(1, 100), 'attempts per meta event before it ends Failure'),
  metaEventTimeoutMs: v('META_EVENT_TIMEOUT_MS', '10000', parsers.int(100, 120_000), 'total deadline of one meta event request'),
  queueDashboardEnabled: v(
    'QUEUE_DASHBOARD_ENABLED',
    'false',
    parsers.bool,
    'serve bull-board at /queues on the api port, for the instance admin key only (Bearer, or Basic with the key as password)',
  ),
  smtpUrl: v(
    'SMTP_URL',
    '',
    parsers.optionalUrl(['smtp:', 'smtps:']),
    'SMTP server for notification email (smtp://user:pass@host:587, smtps://… for TLS from the start); unset = no email',
  ),
  smtpFrom: v('SMTP_FROM', 'Caravan <caravan@localhost>', parsers.string, 'From: of notification email'),
  notifyOperatorEmail: v(
    'NOTIFY_OPERATOR_EMAIL',
    '',
    parsers.optionalEmails,
    "the instance operator's addresses (comma-separated): told of every endpoint disabled or re-enabled and every subscription alert, in every project",
  ),
  notifyRateLimitPerHour: v(
    'NOTIFY_RATE_LIMIT_PER_HOUR',
    '6',
    parsers.int(0, 10_000),
    'notifications about one endpoint one recipient (mailbox or Slack URL) gets in an hour; the rest are dropped and counted (0 = no limit)',
  ),
  notifyPollMs: v('NOTIFY_POLL_MS', '1000', parsers.int(50, 600_000), 'how often a worker with the notifications duty looks for notifications to send'),
  notifyRetryLimit: v('NOTIFY_RETRY_LIMIT', '5', parsers.int(1, 100), 'attempts per notification before it is given up'),
  notifyTimeoutMs: v('NOTIFY_TIMEOUT_MS', '10000', parsers.int(100, 120_000), 'deadline of one notification send (SMTP or Slack)'),
  notifyAlertScanMs: v(
    'NOTIFY_ALERT_SCAN_MS',
    '30000',
    parsers.int(100, 3_600_000),
    "how often a worker with the notifications duty counts failed attempts against subscriptions' alert_config",
  ),
  functionTimeoutMs: v('FUNCTION_TIMEOUT_MS', '100', parsers.int(5, 10_000), 'wall-clock limit of one run of a JavaScript transform function'),
  functionMemoryLimitBytes: v(
    'FUNCTION_MEMORY_LIMIT_BYTES',
    '16777216',
    parsers.int(1024 * 1024, 256 * 1024 * 1024),
    'heap one run of a transform function may allocate inside its sandbox',
  ),
  functionStackLimitBytes: v('FUNCTION_STACK_LIMIT_BYTES', '262144', parsers.int(32 * 1024, 1024 * 1024), 'stack one run of a transform function may use'),
  functionMaxSourceBytes: v('FUNCTION_MAX_SOURCE_BYTES', '65536', parsers.int(1024, 1024 * 1024), 'largest transform function a subscription may carry'),
  functionMaxResultBytes: v(
    'FUNCTION_MAX_RESULT_BYTES',
    '1048576',
    parsers.int(1024, 64 * 1024 * 1024),
    'largest payload (as JSON) a transform function may return',
  ),
  functionMaxLogLines: v('FUNCTION_MAX_LOG_LINES', '100', parsers.int(0, 10_000), 'console.log lines kept per run; the rest are counted, not kept'),
  functionMaxLogLineChars: v('FUNCTION_MAX_LOG_LINE_CHARS', '1000', parsers.int(16, 100_000), 'characters kept of each console.log line'),
  functionThreads: v('FUNCTION_THREADS', '2', parsers.int(1, 64), 'sandbox threads per process that run transform functions (started on first use)'),
  tracingEndpoint: v(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    '',
    parsers.optionalUrl(['http:', 'https:']),
    'OpenTelemetry collector (OTLP over HTTP, e.g. http://otel-collector:4318); when set, every role exports traces there; the SDK also reads the other standard OTEL_* variables (headers, sampler, batch sizes)',
  ),
  tracingProtocol: v(
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    'http/protobuf',
    parsers.oneOf(['http/protobuf', 'http/json'] as const),
    'how spans travel to the collector',
  ),
  tracingServiceName: v(
    'OTEL_SERVICE_NAME',
    'caravan',
    parsers.string,
    "the spans' service.name (each span also carries caravan.role: all, api, worker or egress)",
  ),
  egressPort: v('EGRESS_PORT', '5010', parsers.port, 'listen port of the egress CONNECT proxy'),
  egressHost: v('EGRESS_HOST', '0.0.0.0', parsers.string, 'listen address of the egress proxy'),
  egressHealthPort: v('EGRESS_HEALTH_PORT', '5011', parsers.port, 'health and metrics port of the egress role (0 = off)'),
  egressProxyUrl: v('EGRESS_PROXY_URL', '', parsers.optionalUrl(['http:']), 'when set, every delivery tunnels through this proxy (http://user:pass@host:port)'),
  egressAllow: v('EGRESS_ALLOW', '', parsers.list, 'comma-separated ip:port pairs or CIDRs allowed despite the SSRF policy (never 169.254.0.0/16)'),
  brokerAllow: v(
    'BROKER_ALLOW',
    '',
    parsers.list,
    "comma-separated ip:port pairs or CIDRs where pub/sub sources' brokers may be although not global unicast (a private network, loopback); same form as EGRESS_ALLOW",
  ),
  egressDnsServers: v(
    'EGRESS_DNS_SERVERS',
    '',
    parsers.hostPortList,
    'comma-separated DNS servers (host[:port]) for the egress proxy; default the system resolver',
  ),
  egressCredentials: v('EGRESS_CREDENTIALS', '', parsers.credentials, 'user:password callers must present to the proxy; unset = loopback callers only'),
  egressAllowedPorts: v('EGRESS_ALLOWED_PORTS', '', parsers.list, 'ports allowed besides 80 and 443'),
  egressMaxTunnels: v('EGRESS_MAX_TUNNELS', '1024', parsers.int(1, 1_000_000), 'concurrent tunnels before the proxy answers 503'),
  egressConnectTimeoutMs: v('EGRESS_CONNECT_TIMEOUT_MS', '10000', parsers.int(100, 600_000), 'proxy dial timeout (504 after it)'),
  egressIdleTimeoutMs: v('EGRESS_IDLE_TIMEOUT_MS', '60000', parsers.int(100, 3_600_000), 'tunnel idle timeout'),
  egressMaxTunnelMs: v('EGRESS_MAX_TUNNEL_MS', '600000', parsers.int(1000, 86_400_000), 'tunnel total lifetime'),
} as const;

export type VariableKey = keyof typeof VARIABLES;

/** One variable's value from `env` (or its default), parsed; throws a config value error when malformed. */
export function readVariable<T>(spec: VariableSpec<T>, env: NodeJS.ProcessEnv): T {
  return spec.parse((env[spec.name] ?? spec.default ?? '').trim(), spec.name);
}
export type CaravanConfig = {
  readonly [K in VariableKey]: (typeof VARIABLES)[K] extends VariableSpec<infer T> ? T : never;
};

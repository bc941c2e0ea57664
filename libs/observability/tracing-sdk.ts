import type { IncomingMessage } from 'node:http';
import { basename } from 'node:path';
import { markTracingOn, ExtractOnlyTraceContextPropagator } from './tracing';

/** What start-up knows before the config is loaded: the OTLP endpoint decides whether tracing runs at all. */
export interface TracingSettings {
  endpoint: string | undefined;
  serviceName: string;
  role: string;
}

/** The paths probes and scrapers hit every few seconds: never a trace. */
const UNTRACED_PATHS = /^\/(health|healthz|readyz|livez|metrics)(\/|\?|$)/;

/**
 * The role a process runs, from how it was started (`caravan start|api|worker|egress`,
 * `dist/src/main*.js`); undefined for one-shot commands (migrate, openapi, …), which are
 * never traced.
 */
export function processRole(argv: string[] = process.argv): string | undefined {
  const script = basename(argv[1] ?? '');
  if (/^main\.(js|ts)$/.test(script)) return 'all';
  const m = /^main\.(api|worker|egress)\.(js|ts)$/.exec(script);
  if (m) return m[1];
  if (/^cli\.(js|ts)$/.test(script)) {
    const cmd = argv[2];
    if (cmd === 'start') return 'all';
    if (cmd === 'api' || cmd === 'worker' || cmd === 'egress') return cmd;
  }
  return undefined;
}

let shutdown: (() => Promise<void>) | undefined;

/**
 * Starts the OpenTelemetry SDK, before pg, ioredis and undici are loaded so their
 * instrumentations can hook them. The SDK reads the standard OTEL_* variables (exporter
 * protocol, headers, sampler, batch sizes); metrics stay on /metrics and logs on stdout,
 * so only traces are exported. The SDK's packages are loaded only when tracing is on.
 */
export function startTracing(s: TracingSettings): boolean {
  if (!s.endpoint || shutdown) return false;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on, before what it instruments */
  const { startNodeSdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = startNodeSdk({
    resourceAttributes: { 'service.name': s.serviceName, 'caravan.role': s.role },
    propagators: [new ExtractOnlyTraceContextPropagator()],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
        // outgoing node:http requests (broker and cloud clients) only inside a trace
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // BullMQ and the pools poll all the time: only statements and commands inside a trace
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  shutdown = () => sdk.shutdown();
  markTracingOn();
  return true;
}

/** Exports the spans still buffered, for at most `boundMs` (a collector that is gone must not hold the exit); called on the way out. */
export async function stopTracing(boundMs = 5_000): Promise<void> {
  const s = shutdown;
  shutdown = undefined;
  if (!s) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([s().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)))]);
  clearTimeout(timer);
  markTracingOn(false);
}

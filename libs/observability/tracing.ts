import {
  Attributes,
  Context,
  context,
  Link,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanContext,
  SpanKind,
  SpanStatusCode,
  TextMapGetter,
  TextMapPropagator,
  TextMapSetter,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Caravan's spans, through the OpenTelemetry API only: without a registered SDK (tracing
 * off, the default) every helper here is a pass-through that allocates nothing. The SDK
 * is started by tracing-sdk.ts before anything it instruments is loaded.
 */
const tracer = trace.getTracer('caravan');
let on = false;

/** Called once the SDK (or a test's provider) is registered. */
export function markTracingOn(value = true): void {
  on = value;
}

export function tracingOn(): boolean {
  return on;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** the span's parent instead of the active context (a job's carried trace) */
  parent?: Context;
  links?: Link[];
  /** errors that are the normal flow (a job moved back to delayed): rethrown, the span not marked failed */
  expected?: (e: unknown) => boolean;
}

/**
 * Runs `fn` inside a new active span, ended when `fn` settles; a thrown error marks the
 * span failed and is rethrown. `fn` gets the span (undefined when tracing is off).
 */
export function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!on) return fn(undefined);
  const parent = opts.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes, links: opts.links }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (e) {
      if (!opts.expected?.(e)) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
      }
      throw e;
    } finally {
      span.end();
    }
  });
}

/** The active span's context, for a link from a span that serves many callers (a group commit). */
export function activeSpanContext(): SpanContext | undefined {
  if (!on) return undefined;
  const sc = trace.getSpanContext(context.active());
  return sc && trace.isSpanContextValid(sc) ? sc : undefined;
}

/** The active span as a W3C `traceparent` value, to carry in a queue job; undefined when there is none. */
export function currentTraceparent(): string | undefined {
  const sc = activeSpanContext();
  return sc ? formatTraceparent(sc) : undefined;
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a carried `traceparent` continues; undefined when absent, malformed or tracing is off. */
export function contextFromTraceparent(value: string | undefined): Context | undefined {
  if (!on || !value) return undefined;
  const m = TRACEPARENT.exec(value);
  if (!m) return undefined;
  const sc: SpanContext = { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.isSpanContextValid(sc) ? trace.setSpanContext(ROOT_CONTEXT, sc) : undefined;
}

/**
 * W3C trace context read from incoming requests (a client's trace continues into the
 * ingest span) and never written into outgoing ones. The HTTP client instrumentations
 * inject into every request they see, and most of the gateway's requests go to other
 * parties (endpoints, OAuth token URLs, Slack): they must not learn its trace ids. A
 * project that wants them gets `traceparent` on its deliveries explicitly (the
 * dispatcher adds it, so the attempt record shows it too).
 */
export class ExtractOnlyTraceContextPropagator implements TextMapPropagator {
  private readonly w3c = new W3CTraceContextPropagator();

  inject(_ctx: Context, _carrier: unknown, _setter: TextMapSetter): void {}

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.w3c.extract(ctx, carrier, getter);
  }

  fields(): string[] {
    return this.w3c.fields();
  }
}

/** For tests that register their own provider: the propagator the SDK would install. */
export function installPropagator(): void {
  propagation.setGlobalPropagator(new ExtractOnlyTraceContextPropagator());
}

export { SpanKind };

import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  activeSpanContext,
  contextFromTraceparent,
  currentTraceparent,
  ExtractOnlyTraceContextPropagator,
  formatTraceparent,
  inSpan,
  installPropagator,
  markTracingOn,
} from './tracing';
import { processRole } from './tracing-sdk';

describe('tracing helpers', () => {
  describe('with tracing off (no SDK)', () => {
    it('runs the work without a span and carries no context', async () => {
      expect(await inSpan('x', {}, (span) => Promise.resolve(span))).toBeUndefined();
      expect(currentTraceparent()).toBeUndefined();
      expect(contextFromTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
    });
  });

  describe('with a provider and an in-memory exporter', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const manager = new AsyncLocalStorageContextManager();

    beforeAll(() => {
      context.setGlobalContextManager(manager.enable());
      trace.setGlobalTracerProvider(provider);
      installPropagator();
      markTracingOn();
    });
    afterAll(async () => {
      markTracingOn(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });
    beforeEach(() => exporter.reset());

    it('nests spans across awaits and hands a job the active span as traceparent', async () => {
      let carried: string | undefined;
      await inSpan('caravan.ingest', {}, async () => {
        await new Promise((r) => setImmediate(r));
        await inSpan('caravan.group_commit', {}, () => {
          carried = currentTraceparent();
          return Promise.resolve();
        });
      });
      const [commit, ingest] = exporter.getFinishedSpans();
      expect(commit.name).toBe('caravan.group_commit');
      expect(commit.parentSpanContext?.spanId).toBe(ingest.spanContext().spanId);
      expect(carried).toBe(`00-${commit.spanContext().traceId}-${commit.spanContext().spanId}-01`);
    });

    it('continues a carried traceparent in another process, as the worker does with a job', async () => {
      const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await inSpan('caravan.delivery', { parent: contextFromTraceparent(tp) }, () => {
        expect(activeSpanContext()?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
        return Promise.resolve();
      });
      const [run] = exporter.getFinishedSpans();
      expect(run.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(run.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(formatTraceparent(run.spanContext())).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    });

    it('ignores a malformed or all-zero traceparent and starts a trace of its own', async () => {
      for (const bad of ['garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'])
        expect(contextFromTraceparent(bad)).toBeUndefined();
      await context.with(ROOT_CONTEXT, () => inSpan('caravan.delivery', { parent: contextFromTraceparent('garbage') }, () => Promise.resolve()));
      expect(exporter.getFinishedSpans()[0].parentSpanContext).toBeUndefined();
    });

    it('marks a failed span, but not one that ended in an expected error (a job moved back to delayed)', async () => {
      class Moved extends Error {}
      await expect(inSpan('a', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      await expect(inSpan('b', { expected: (e) => e instanceof Moved }, () => Promise.reject(new Moved()))).rejects.toBeInstanceOf(Moved);
      const [a, b] = exporter.getFinishedSpans();
      expect(a.status.code).toBe(SpanStatusCode.ERROR);
      expect(a.events.some((e) => e.name === 'exception')).toBe(true);
      expect(b.status.code).toBe(SpanStatusCode.UNSET);
    });

    it('links a group commit to every request it served', async () => {
      const writers: ReturnType<typeof activeSpanContext>[] = [];
      await Promise.all([1, 2, 3].map((i) => inSpan(`req-${i}`, {}, () => Promise.resolve(void writers.push(activeSpanContext())))));
      await inSpan('caravan.group_commit', { links: writers.map((c) => ({ context: c! })) }, () => Promise.resolve());
      const commit = exporter.getFinishedSpans().find((s) => s.name === 'caravan.group_commit')!;
      expect(commit.links.map((l) => l.context.spanId).sort()).toEqual(writers.map((c) => c!.spanId).sort());
    });
  });
});

describe('ExtractOnlyTraceContextPropagator', () => {
  const p = new ExtractOnlyTraceContextPropagator();
  const getter = { get: (c: Record<string, string>, k: string) => c[k], keys: (c: Record<string, string>) => Object.keys(c) };

  it('reads a client’s traceparent but never writes one into an outgoing request', () => {
    const ctx = p.extract(ROOT_CONTEXT, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, getter);
    expect(trace.getSpanContext(ctx)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    // the extracted (remote) context is what an HTTP client instrumentation would inject from
    const carrier: Record<string, string> = {};
    p.inject(ctx, carrier, { set: (c: Record<string, string>, k: string, v: string) => (c[k] = v) });
    expect(carrier).toEqual({});
    expect(p.fields()).toContain('traceparent');
  });
});

describe('processRole', () => {
  it.each([
    [['node', '/app/dist/src/main.js'], 'all'],
    [['node', '/app/dist/src/cli.js', 'start'], 'all'],
    [['node', '/app/dist/src/cli.js', 'worker'], 'worker'],
    [['node', '/app/dist/src/main.api.js'], 'api'],
    [['node', '/app/dist/src/cli.js', 'migrate'], undefined],
    [['node', '/app/dist/src/cli.js', 'openapi'], undefined],
    [['node', '/usr/lib/jest.js'], undefined],
  ])('%j runs %s', (argv, role) => {
    expect(processRole(argv)).toBe(role);
  });
});

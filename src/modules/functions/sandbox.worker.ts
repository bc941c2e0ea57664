/**
 * A sandbox thread: runs transform functions in QuickJS compiled to WebAssembly, one task at
 * a time. The script sees a copy of the payload and `console`, nothing of the host: no
 * `require`, no `process`, no timers, no network, no file system (QuickJS has none of them,
 * and nothing else is added to its global object).
 *
 * The thread loads the WebAssembly module once and gives every task a new QuickJS runtime
 * (its own heap, atoms, garbage collector and limits) with a new context, disposed when the
 * task ends, so nothing one run creates is reachable by the next. A run that ends the host
 * side abnormally (a WebAssembly trap, a failed disposal) marks the thread broken: it answers,
 * then exits, and the pool starts a fresh one.
 *
 * Loaded as a plain file by `new Worker()`: from `dist/` as JavaScript, from the sources (tests)
 * through Node's type stripping, so it uses erasable TypeScript only and imports no local code
 * at run time.
 */
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { parentPort, workerData } from 'node:worker_threads';
import type { SandboxReply, SandboxTask, SandboxThreadData } from './sandbox-protocol';

/**
 * Evaluated first in every context. It keeps its own references to JSON, Promise and
 * String.prototype.slice (bound before any script runs), so a script that replaces them
 * changes only what it hands back, and it truncates each log line, so a script cannot push
 * unbounded text to the host.
 */
const PRELUDE = String.raw`(function (sink, maxLineChars, maxResultChars) {
  'use strict';
  const stringify = JSON.stringify, parse = JSON.parse, text = String, P = Promise;
  const cut = Function.prototype.call.bind(String.prototype.slice);
  function show(v) {
    try {
      if (typeof v === 'string') return v;
      const t = stringify(v);
      return t === undefined ? text(v) : t;
    } catch (e) {
      try { return text(v); } catch (e2) { return '[unprintable]'; }
    }
  }
  function log() {
    let line = '';
    for (let i = 0; i < arguments.length && line.length <= maxLineChars; i++) line += (i > 0 ? ' ' : '') + show(arguments[i]);
    sink(line.length > maxLineChars ? cut(line, 0, maxLineChars) : line);
  }
  globalThis.console = { log: log, info: log, warn: log, error: log, debug: log, trace: log };
  function run(fn, input) {
    const out = fn(parse(input));
    if (out instanceof P) throw new TypeError('transform returned a promise; it must return the payload itself');
    const t = stringify(out);
    if (t === undefined) return 'null';
    return t.length > maxResultChars ? t.length : t;
  }
  function describe(e) {
    try {
      let s;
      if (e instanceof Error) {
        s = text(e.name) + ': ' + text(e.message);
        const at = /function\.js:(\d+):(\d+)/.exec(text(e.stack));
        if (at) s += ' (line ' + at[1] + ', column ' + at[2] + ')';
      } else {
        s = 'uncaught ' + show(e);
      }
      return s.length > 1000 ? cut(s, 0, 1000) : s;
    } catch (x) {
      return 'uncaught exception';
    }
  }
  return { run: run, describe: describe };
})`;

const MISSING_TRANSFORM = 'the transform function is not found, please define it or rename the existing function';
/** Time allowed after the deadline to read an error out of the context. */
const CLEANUP_MS = 20;

type FailureKind = 'error' | 'missing_transform' | 'timeout' | 'memory' | 'result_too_large';

/** What the script did wrong (anything else thrown means the host side is broken). */
class Failure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

let quickjs: QuickJSWASMModule | undefined;

/** One task in a fresh runtime; throws Failure for what the script did, anything else for a broken host. */
function runTask(mod: QuickJSWASMModule, task: SandboxTask, log: string[]): string {
  const { limits } = task;
  // set again when the script starts: the prelude is ours and does not count
  let deadline = Date.now() + 1000;
  let interrupted = false;
  let dropped = 0;
  const runtime: QuickJSRuntime = mod.newRuntime();
  runtime.setMemoryLimit(limits.memoryLimitBytes);
  runtime.setMaxStackSize(limits.stackLimitBytes);
  runtime.setInterruptHandler(() => {
    if (Date.now() <= deadline) return false;
    interrupted = true;
    return true;
  });
  const ctx: QuickJSContext = runtime.newContext();
  const handles: QuickJSHandle[] = [];
  const keep = (h: QuickJSHandle): QuickJSHandle => {
    handles.push(h);
    return h;
  };
  try {
    const sink = keep(
      ctx.newFunction('log', (line) => {
        if (log.length < limits.maxLogLines && ctx.typeof(line) === 'string') log.push(ctx.getString(line));
        else dropped++;
      }),
    );
    const prelude = keep(ctx.unwrapResult(ctx.evalCode(PRELUDE, 'caravan-prelude.js')));
    const api = keep(
      ctx.unwrapResult(ctx.callFunction(prelude, ctx.undefined, sink, keep(ctx.newNumber(limits.maxLogLineChars)), keep(ctx.newNumber(limits.maxResultBytes)))),
    );
    const describe = keep(ctx.getProp(api, 'describe'));
    const fail = (error: QuickJSHandle): Failure => {
      keep(error);
      if (interrupted) return new Failure('timeout', `the function ran longer than ${limits.timeoutMs} ms`);
      if (isOutOfMemory(ctx, error)) return new Failure('memory', `the function used more than ${limits.memoryLimitBytes} bytes of memory`);
      // a little time and memory to read the error out, whatever the script left behind
      deadline = Date.now() + CLEANUP_MS;
      runtime.setMemoryLimit(limits.memoryLimitBytes + 1024 * 1024);
      const described = ctx.callFunction(describe, ctx.undefined, error);
      if (described.error) {
        keep(described.error);
        return new Failure('error', interrupted ? `the function ran longer than ${limits.timeoutMs} ms` : 'uncaught exception');
      }
      const message = keep(described.value);
      return new Failure('error', ctx.typeof(message) === 'string' ? ctx.getString(message) : 'uncaught exception');
    };

    deadline = Date.now() + limits.timeoutMs;
    const evaluated = ctx.evalCode(task.source, 'function.js');
    if (evaluated.error) throw fail(evaluated.error);
    keep(evaluated.value);
    const lookedUp = ctx.evalCode('typeof transform === "function" ? transform : undefined', 'caravan-lookup.js');
    if (lookedUp.error) throw fail(lookedUp.error);
    const transform = keep(lookedUp.value);
    if (ctx.typeof(transform) !== 'function') throw new Failure('missing_transform', MISSING_TRANSFORM);
    if (task.op === 'check') return '';

    const run = keep(ctx.getProp(api, 'run'));
    const result = ctx.callFunction(run, ctx.undefined, transform, keep(ctx.newString(task.input)));
    if (result.error) throw fail(result.error);
    const out = keep(result.value);
    if (ctx.typeof(out) !== 'string' || Buffer.byteLength(ctx.getString(out)) > limits.maxResultBytes) {
      throw new Failure('result_too_large', `the function returned more than ${limits.maxResultBytes} bytes of JSON`);
    }
    return ctx.getString(out);
  } finally {
    if (dropped > 0) log.push(`… ${dropped} more log lines not kept`);
    for (const h of handles.reverse()) if (h.alive) h.dispose();
    ctx.dispose();
    runtime.dispose();
  }
}

function isOutOfMemory(ctx: QuickJSContext, error: QuickJSHandle): boolean {
  if (ctx.typeof(error) !== 'object') return false;
  let message: QuickJSHandle;
  try {
    // a thrown object of the script's own may have a getter that throws
    message = ctx.getProp(error, 'message');
  } catch {
    return false;
  }
  try {
    return ctx.typeof(message) === 'string' && ctx.getString(message) === 'out of memory';
  } finally {
    message.dispose();
  }
}

function answer(task: SandboxTask): { reply: SandboxReply; broken: boolean } {
  const log: string[] = [];
  if (!quickjs) return { reply: { id: task.id, ok: false, kind: 'crashed', message: 'the sandbox is not loaded', log, broken: true }, broken: true };
  try {
    const output = runTask(quickjs, task, log);
    return { reply: { id: task.id, ok: true, output, log }, broken: false };
  } catch (e) {
    // after running out of memory the heap is full of the script's leftovers: start afresh
    if (e instanceof Failure) {
      const broken = e.kind === 'memory';
      return { reply: { id: task.id, ok: false, kind: e.kind, message: e.message, log, broken }, broken };
    }
    return { reply: { id: task.id, ok: false, kind: 'crashed', message: 'the function sandbox failed', log, broken: true }, broken: true };
  }
}

/**
 * QuickJS's own limit in this build counts allocations, not their sizes (the WebAssembly
 * libc has no malloc_usable_size), so it only stops a single allocation over the limit. The
 * real bound is the WebAssembly memory: the module's initial 16 MiB (code, stack, a first
 * heap) plus the limit, never more, since a thread runs one task at a time.
 */
const WASM_PAGE = 64 * 1024;
// the global exists in every Node; the project's type libraries do not describe it
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => object };
const INITIAL_PAGES = 256;

function boundedVariant(memoryLimitBytes: number): typeof variant {
  const maximum = INITIAL_PAGES + Math.ceil(memoryLimitBytes / WASM_PAGE);
  return newVariant(variant, { wasmMemory: new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum }) });
}

const port = parentPort;
if (port) {
  port.on('message', (task: SandboxTask) => {
    const { reply, broken } = answer(task);
    port.postMessage(reply);
    if (broken) process.exit(1);
  });
  newQuickJSWASMModuleFromVariant(boundedVariant((workerData as SandboxThreadData).memoryLimitBytes)).then(
    (mod) => {
      quickjs = mod;
      port.postMessage({ ready: true });
    },
    () => process.exit(1),
  );
}

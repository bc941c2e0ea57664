import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import type { FunctionFailureKind, SandboxLimits, SandboxReady, SandboxReply, SandboxTask, SandboxThreadData } from './sandbox-protocol';

export type { FunctionFailureKind } from './sandbox-protocol';

/** What a transform function returned (as JSON text) and what it logged. */
export interface FunctionResult {
  output: string;
  log: string[];
}

/** A run that did not produce a payload; `kind` says why, `log` holds what it printed first. */
export class FunctionFailure extends Error {
  constructor(
    readonly kind: FunctionFailureKind,
    message: string,
    readonly log: string[] = [],
  ) {
    super(message);
    this.name = 'FunctionFailure';
  }

  /** The script's own fault (it throws, loops, allocates too much…), as opposed to a sandbox that could not run it. */
  get byFunction(): boolean {
    return this.kind !== 'crashed' && this.kind !== 'busy';
  }
}

/**
 * The kill timer: QuickJS checks the deadline between operations, but a few built-ins
 * (a huge `Array.prototype.fill`, `JSON.stringify`) run long without checking. A thread still
 * busy this long after the deadline is terminated and replaced.
 */
const KILL_GRACE_MS = 100;
const START_FAILURE = 'the function sandbox could not start';
const START_FAILURE_PAUSE_MS = 5_000;
/** Tasks waiting for a thread, per process; past it runs fail at once as `busy`. */
const MAX_QUEUED_PER_THREAD = 256;

interface Task {
  id: number;
  tenant: string;
  /** fails the task as `busy` if no thread took it in time */
  waitTimer?: NodeJS.Timeout;
  op: SandboxTask['op'];
  source: string;
  input: string;
  resolve: (r: FunctionResult) => void;
  reject: (e: FunctionFailure) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
  gone: boolean;
}

/**
 * Runs JavaScript transform functions (Convoy's `function transform(payload) { … }`) in
 * QuickJS compiled to WebAssembly, on a small pool of threads started on first use.
 *
 * Isolation: the WebAssembly module is the boundary (the script reaches no host object but
 * the payload copy and `console`); each run has a runtime of its own, so no state passes
 * between runs or tenants; the thread keeps the module loaded because loading it is the
 * expensive part, which is safe because a run's runtime is freed before the next begins and
 * a thread that misbehaves is replaced. Limits per run: a deadline (interrupt, then a kill),
 * memory, stack, the size of the result and of the log.
 *
 * Fairness: waiting tasks are taken round-robin by tenant, so a tenant with a slow function
 * waits behind itself, while another tenant's run waits at most for runs already started.
 */
@Injectable()
export class FunctionSandbox implements OnModuleDestroy {
  private readonly threads = new Set<Thread>();
  private readonly waiting = new Map<string, Task[]>();
  private queued = 0;
  private nextId = 1;
  private closed = false;
  /** after a thread could not even start, runs fail at once for a while instead of respawning threads in a loop */
  private startFailedUntil = 0;
  readonly limits: SandboxLimits;

  constructor(@Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig) {
    this.limits = {
      timeoutMs: config.functionTimeoutMs,
      memoryLimitBytes: config.functionMemoryLimitBytes,
      stackLimitBytes: config.functionStackLimitBytes,
      maxResultBytes: config.functionMaxResultBytes,
      maxLogLines: config.functionMaxLogLines,
      maxLogLineChars: config.functionMaxLogLineChars,
    };
  }

  /** Evaluates the script (its top level included) and checks that it defines `transform`. */
  async check(source: string, tenant = ''): Promise<void> {
    await this.submit('check', source, '', tenant);
  }

  /**
   * Calls `transform` on a copy of the payload (JSON text); resolves with its result as JSON
   * text. With `maxWaitMs`, a run no thread has taken by then fails as `busy`.
   */
  run(source: string, payloadJson: string, tenant = '', maxWaitMs?: number): Promise<FunctionResult> {
    return this.submit('run', source, payloadJson, tenant, maxWaitMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const tasks of this.waiting.values()) for (const t of tasks) this.failWaiting(t, new FunctionFailure('busy', 'the function sandbox is shutting down'));
    this.waiting.clear();
    this.queued = 0;
    await Promise.all([...this.threads].map((t) => this.retire(t, new FunctionFailure('busy', 'the function sandbox is shutting down'))));
  }

  private submit(op: SandboxTask['op'], source: string, input: string, tenant: string, maxWaitMs?: number): Promise<FunctionResult> {
    if (Buffer.byteLength(source) > this.config.functionMaxSourceBytes) {
      return Promise.reject(new FunctionFailure('error', `the function is larger than ${this.config.functionMaxSourceBytes} bytes`));
    }
    if (this.closed) return Promise.reject(new FunctionFailure('busy', 'the function sandbox is shutting down'));
    if (Date.now() < this.startFailedUntil) return Promise.reject(new FunctionFailure('crashed', START_FAILURE));
    if (this.queued >= this.config.functionThreads * MAX_QUEUED_PER_THREAD) {
      return Promise.reject(new FunctionFailure('busy', 'too many functions are waiting to run'));
    }
    return new Promise<FunctionResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, tenant, op, source, input, resolve, reject };
      if (maxWaitMs !== undefined) task.waitTimer = setTimeout(() => this.giveUp(task), maxWaitMs);
      const list = this.waiting.get(tenant);
      if (list) list.push(task);
      else this.waiting.set(tenant, [task]);
      this.queued++;
      this.pump();
    });
  }

  /** Hands waiting tasks to idle threads, starting threads up to the configured number. */
  private pump(): void {
    while (this.queued > 0) {
      const idle = [...this.threads].find((t) => t.ready && !t.task && !t.gone);
      if (!idle) {
        const starting = [...this.threads].some((t) => !t.ready && !t.gone);
        if (!starting && this.threads.size < this.config.functionThreads) this.spawn();
        return;
      }
      const task = this.takeNext();
      if (!task) return;
      this.start(idle, task);
    }
  }

  /** A task that waited too long leaves the queue, failed as `busy`. */
  private giveUp(task: Task): void {
    const list = this.waiting.get(task.tenant);
    const at = list?.indexOf(task) ?? -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    if (list.length === 0) this.waiting.delete(task.tenant);
    this.queued--;
    task.reject(new FunctionFailure('busy', 'every function sandbox thread stayed busy'));
  }

  /** Round-robin over tenants: the first tenant in line gives one task and goes to the back. */
  private takeNext(): Task | undefined {
    for (const [tenant, tasks] of this.waiting) {
      const task = tasks.shift();
      this.waiting.delete(tenant);
      if (tasks.length > 0) this.waiting.set(tenant, tasks);
      if (task) {
        this.queued--;
        return task;
      }
    }
    return undefined;
  }

  private start(thread: Thread, task: Task): void {
    clearTimeout(task.waitTimer);
    thread.task = task;
    const message: SandboxTask = { id: task.id, op: task.op, source: task.source, input: task.input, limits: this.limits };
    thread.worker.postMessage(message);
    thread.timer = setTimeout(() => {
      void this.retire(thread, new FunctionFailure('timeout', `the function ran longer than ${this.limits.timeoutMs} ms and its thread was stopped`));
    }, this.limits.timeoutMs + KILL_GRACE_MS);
  }

  private spawn(): void {
    const fromSources = __filename.endsWith('.ts');
    const worker = new Worker(join(__dirname, fromSources ? 'sandbox.worker.ts' : 'sandbox.worker.js'), {
      // a thread stack well above the script's own limit, so QuickJS stops a deep recursion itself
      workerData: { memoryLimitBytes: this.limits.memoryLimitBytes } satisfies SandboxThreadData,
      resourceLimits: { stackSizeMb: 4 + Math.ceil((8 * this.limits.stackLimitBytes) / (1024 * 1024)), maxOldGenerationSizeMb: 256 },
      // the sources are ESM-looking TypeScript in a CommonJS package: say so once, quietly
      execArgv: fromSources ? [...process.execArgv, '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'] : undefined,
      stdout: true,
      stderr: true,
    });
    worker.unref();
    // QuickJS's own abort messages; nothing a script prints goes there
    worker.stdout.resume();
    worker.stderr.resume();
    const thread: Thread = { worker, ready: false, gone: false };
    this.threads.add(thread);
    worker.on('message', (m: SandboxReply | SandboxReady) => this.onMessage(thread, m));
    worker.on('error', (e: Error & { code?: string }) => {
      const kind = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed';
      void this.retire(thread, new FunctionFailure(kind, kind === 'memory' ? 'the function used too much memory' : 'the function sandbox failed'));
    });
    worker.on('exit', () => void this.retire(thread, new FunctionFailure('crashed', 'the function sandbox failed')));
  }

  private onMessage(thread: Thread, m: SandboxReply | SandboxReady): void {
    if ('ready' in m) {
      thread.ready = true;
      this.pump();
      return;
    }
    const task = thread.task;
    if (!task || task.id !== m.id) return;
    clearTimeout(thread.timer);
    thread.task = undefined;
    if (m.ok) task.resolve({ output: m.output, log: m.log });
    else task.reject(new FunctionFailure(m.kind, m.message, m.log));
    // a broken thread exits by itself after answering; the exit handler replaces it
    if (!m.ok && m.broken) thread.gone = true;
    this.pump();
  }

  private failWaiting(task: Task, why: FunctionFailure): void {
    clearTimeout(task.waitTimer);
    task.reject(why);
  }

  /** Ends a thread (killed, crashed or exited): its task fails with `why`, waiting tasks go to the others. */
  private async retire(thread: Thread, why: FunctionFailure): Promise<void> {
    if (!this.threads.has(thread)) return;
    this.threads.delete(thread);
    thread.gone = true;
    clearTimeout(thread.timer);
    const task = thread.task;
    thread.task = undefined;
    task?.reject(why);
    if (!thread.ready && !this.closed) {
      this.startFailedUntil = Date.now() + START_FAILURE_PAUSE_MS;
      for (const tasks of this.waiting.values()) for (const t of tasks) this.failWaiting(t, new FunctionFailure('crashed', START_FAILURE));
      this.waiting.clear();
      this.queued = 0;
    }
    if (!this.closed) this.pump();
    await thread.worker.terminate().catch(() => undefined);
  }
}

import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LogLine {
  readonly msg?: string;
  readonly [key: string]: unknown;
}

const ROOT = resolve(__dirname, '../../../..');
/** The build under test; CARAVAN_DIST points elsewhere when dist/ is somebody else's. */
const DIST = resolve(ROOT, process.env.CARAVAN_DIST ?? 'dist');
const CLI = join(DIST, 'src/cli.js');

/**
 * The real egress role as operators run it (`node dist/src/cli.js egress`), with only
 * the variables a test gives it: nothing leaks in from the developer's environment.
 */
export class ProxyProcess {
  readonly logs: LogLine[] = [];
  port = 0;
  private stderr = '';
  private exit?: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  private constructor(env: Record<string, string>) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx nest build)`);
    this.child = spawn(process.execPath, [CLI, 'egress'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', EGRESS_HOST: '127.0.0.1', EGRESS_PORT: '0', EGRESS_HEALTH_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exit = new Promise((done) => this.child.once('exit', (code) => done(code)));
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(env: Record<string, string> = {}): Promise<ProxyProcess> {
    const proxy = new ProxyProcess(env);
    const listening = proxy.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('listening on '), 15_000);
    const exited = proxy.exit?.then((code) => {
      throw new Error(`egress exited (${code}) before listening: ${proxy.stderr}`);
    });
    const line = await Promise.race([listening, exited]);
    proxy.port = Number(((line as LogLine).listeners as { what: string; port: number }[]).find((l) => l.what === 'egress')?.port);
    return proxy;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Tunnel log lines ("egress tunnel"), in order. */
  tunnels(): LogLine[] {
    return this.logs.filter((l) => l.msg === 'egress tunnel');
  }

  waitForLog(match: (l: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`log line not seen within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      // a waiter left behind by a failed start must not keep the test run alive
      timer.unref();
      waiter.resolve = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push(waiter);
    });
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Waits for the process to exit on its own, or kills it after `timeoutMs`. */
  async exited(timeoutMs = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const code = await Promise.race([this.exit, late]);
    clearTimeout(timer);
    if (code !== 'late') return code ?? null;
    this.child.kill('SIGKILL');
    await this.exit;
    throw new Error(`egress did not exit within ${timeoutMs} ms`);
  }

  /** SIGTERM and wait; always leaves no process behind. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.signal('SIGTERM');
    return this.exited(15_000);
  }

  private take(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    this.logs.push(line);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(line)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }
}

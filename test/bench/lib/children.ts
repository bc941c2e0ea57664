import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { sleep } from './stats';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A port the kernel just handed out and released, for a child to listen on. */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A role or baseline process started by the harness. Its output is kept (bounded) so a
 * failure can be shown; it is always stopped by pid, never by name.
 */
export class Child {
  private proc?: ChildProcess;
  private tail: string[] = [];
  exitCode: number | null = null;

  constructor(
    readonly label: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly cwd = process.cwd(),
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return !!this.proc && this.exitCode === null;
  }

  start(): void {
    // process.execPath: the harness runs on the project's Node 24, and so do the roles
    const p = spawn(process.execPath, this.args, { cwd: this.cwd, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    this.exitCode = null;
    this.tail = [];
    const keep = (b: Buffer): void => {
      this.tail.push(b.toString('utf8'));
      if (this.tail.length > 40) this.tail.shift();
    };
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    p.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 1);
    });
  }

  output(): string {
    return this.tail.join('').slice(-4000);
  }

  /** Runs to completion (for `migrate`), failing with the output on a non-zero exit. */
  async run(timeoutMs: number): Promise<void> {
    this.start();
    const deadline = Date.now() + timeoutMs;
    while (this.exitCode === null) {
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.label} did not finish within ${timeoutMs} ms\n${this.output()}`);
      }
      await sleep(50);
    }
    if (this.exitCode !== 0) throw new Error(`${this.label} exited with ${this.exitCode}\n${this.output()}`);
  }

  async stop(timeoutMs = 15_000): Promise<void> {
    const p = this.proc;
    if (!p || this.exitCode !== null) return;
    p.kill('SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (this.exitCode === null && Date.now() < deadline) await sleep(50);
    if (this.exitCode === null) {
      p.kill('SIGKILL');
      while (this.exitCode === null) await sleep(20);
    }
  }
}

/** Waits until `url` answers 2xx, or the child dies, or the time runs out. */
export async function waitHttpReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.running) throw new Error(`${child.label} exited (${child.exitCode})\n${child.output()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.label} not ready at ${url} within ${timeoutMs} ms\n${child.output()}`);
    await sleep(100);
  }
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
}

export async function redisInfo(r: Redis): Promise<{ usedMb: number; pid: number; version: string }> {
  const info = await r.info();
  const get = (k: string): string => new RegExp(`^${k}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  return { usedMb: Number(get('used_memory')) / 1048576, pid: Number(get('process_id')), version: get('redis_version') };
}

/** Deletes every key under a prefix with SCAN (never KEYS), bounded in rounds. */
export async function deletePrefix(r: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await r.unlink(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

/** Bytes held in Redis under one prefix (MEMORY USAGE of each key), for backlog figures. */
export async function prefixBytes(r: Redis, prefix: string, maxKeys = 200_000): Promise<number> {
  let cursor = '0';
  let total = 0;
  let seen = 0;
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (const k of keys) total += (await r.memory('USAGE', k)) ?? 0;
    seen += keys.length;
    cursor = next;
  } while (cursor !== '0' && seen < maxKeys);
  return total;
}

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createTestDatabase,
  deleteRedisPrefix,
  freePort,
  TEST_ADMIN_KEY,
  TEST_REDIS_URL,
  TestDatabase,
  testRedisPrefix,
  waitUntil,
  WebhookSink,
} from '../../../libs/testing';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** Debian's chromium (`apt-get install chromium`); playwright's own browser downloads cannot run here. */
export function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no chromium found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  }
}

/**
 * What the browser tests run against: the built api and worker as processes (dist/, the
 * UI from dist/ui) on a fresh database and Redis prefix, a loopback sink the endpoints
 * may reach (EGRESS_ALLOW), and a headless chromium.
 */
export class WebStack {
  readonly sink: WebhookSink;
  base = '';
  browser?: Browser;
  private db?: TestDatabase;
  private readonly prefix = testRedisPrefix('webui');
  private readonly children: ChildProcess[] = [];
  private readonly logs: string[] = [];

  constructor(sink: WebhookSink) {
    this.sink = sink;
  }

  async start(): Promise<void> {
    if (!existsSync(join(ROOT, 'dist', 'ui', 'index.html')) || !existsSync(CLI))
      throw new Error('run `npm run build` first: the test serves dist/ and dist/ui');
    await this.sink.start();
    this.db = await createTestDatabase('webui');
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: this.db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: this.prefix,
      CARAVAN_ADMIN_KEY: TEST_ADMIN_KEY,
      // set, as in production: without it api and worker race to create the key on a fresh database
      CARAVAN_ENCRYPTION_KEY: '07'.repeat(32),
      LOG_LEVEL: 'warn',
      EGRESS_ALLOW: this.sink.allowEntry,
      PORT: String(port),
      WORKER_HEALTH_PORT: '0',
    };
    for (const role of ['api', 'worker']) {
      const child = spawn(process.execPath, [CLI, role], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => this.logs.push(`${role}: ${d.toString()}`));
      child.stderr.on('data', (d: Buffer) => this.logs.push(`${role}: ${d.toString()}`));
      this.children.push(child);
    }
    this.base = `http://127.0.0.1:${port}`;
    await waitUntil(
      'the api to be ready',
      async () => {
        if (this.children.some((c) => c.exitCode !== null)) throw new Error(`a role exited:\n${this.logs.join('')}`);
        return fetch(`${this.base}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
      },
      30_000,
      100,
    );
    this.browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await this.sink.stop();
    await this.db?.drop();
    await deleteRedisPrefix(this.prefix);
  }

  /** A page that fails the test on any request to another origin or any uncaught error. */
  async page(width = 1280, height = 900): Promise<{ page: Page; problems: string[] }> {
    const context = await this.browser!.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const problems: string[] = [];
    const origin = new URL(this.base).origin;
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !u.startsWith('data:')) problems.push(`request to another origin: ${u}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console error: ${m.text()}`);
    });
    return { page, problems };
  }

  /** The admin API, for set-up the test does not do through the pages; answers are read loosely, as JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async api<T = any>(method: string, path: string, body?: unknown, key = TEST_ADMIN_KEY): Promise<{ status: number; data: T }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as { data: T };
    return { status: res.status, data: json.data };
  }

  log(): string {
    return this.logs.join('');
  }
}

/** Where the README's pictures are written: UI_SCREENSHOTS=docs/img refreshes them; otherwise test/.tmp, like the rest (`scratch`). */
export function screenshotDir(scratch = false): string {
  const dir = process.env.UI_SCREENSHOTS && !scratch ? join(ROOT, process.env.UI_SCREENSHOTS) : join(ROOT, 'test', '.tmp', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Expressions evaluated in the page (as strings: the tests' TypeScript has no DOM library). */
export const IN_PAGE = {
  scrollWidth: 'document.documentElement.scrollWidth',
  /** elements reaching past the right edge, other than the contents of a table's own scroll box */
  tooWide:
    "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.parentElement?.closest('.table-wrap')).map((e) => e.tagName.toLowerCase() + '.' + e.className)",
};

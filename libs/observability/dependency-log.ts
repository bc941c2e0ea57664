/**
 * What a process says when PostgreSQL or Redis cannot be reached: one structured line per
 * dependency (what failed, where, which variable to check), then silence for
 * `intervalMs` (the repeats are counted into the next line), and one line when it answers
 * again. Every client of a dependency in one process shares its log, so ten Redis
 * connections failing at once still make one line, and no stack trace is ever printed
 * for a refused connection.
 */
export type Dependency = 'redis' | 'postgres';

const INFO: Record<Dependency, { name: string; variable: string }> = {
  redis: { name: 'Redis', variable: 'REDIS_URL' },
  postgres: { name: 'PostgreSQL', variable: 'DATABASE_URL' },
};

export const DEPENDENCY_LOG_INTERVAL_MS = 30_000;

/** Errors that say the server is not there (or refuses us), not that a statement was wrong. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  // PostgreSQL: authentication failed, no such database, starting up / shutting down
  '28P01',
  '28000',
  '3D000',
  '57P01',
  '57P03',
]);

export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (e instanceof AggregateError) return e.errors.some(isConnectionError);
  return /Connection is closed|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|Reached the max retries per request limit/i.test(
    e.message,
  );
}

/** `host:port` of a connection URL, without credentials or database. */
export function dependencyTarget(dependency: Dependency, url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (dependency === 'redis' ? '6379' : '5432')}`;
  } catch {
    return '(unparseable URL)';
  }
}

function errorText(e: unknown): { error: string; code?: string } {
  if (e instanceof AggregateError && e.errors.length > 0) return errorText(e.errors[0]);
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { error: e.message || e.name, code: typeof code === 'string' ? code : undefined };
  }
  return { error: String(e) };
}

export interface DependencyLine {
  fields: { dependency: Dependency; target: string; variable: string; error?: string; code?: string; repeated?: number };
  msg: string;
}

/** The words of a failure, as readiness shows them and as the log line says them. */
export function unreachableMessage(dependency: Dependency, url: string, e: unknown): string {
  const { name, variable } = INFO[dependency];
  return `${name} unreachable at ${dependencyTarget(dependency, url)}: ${errorText(e).error} (check ${variable})`;
}

export type LineWriter = (level: 'warn' | 'info' | 'error', line: DependencyLine) => void;

class DependencyLogState {
  private lastAt = 0;
  private repeated = 0;
  private down = false;

  constructor(
    private readonly dependency: Dependency,
    private readonly intervalMs: () => number,
  ) {}

  get isDown(): boolean {
    return this.down;
  }

  failed(url: string, e: unknown, write: LineWriter, level: 'warn' | 'error' = 'warn'): void {
    this.down = true;
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs()) {
      this.repeated++;
      return;
    }
    const { variable } = INFO[this.dependency];
    const fields: DependencyLine['fields'] = { dependency: this.dependency, target: dependencyTarget(this.dependency, url), variable, ...errorText(e) };
    if (this.repeated > 0) fields.repeated = this.repeated;
    this.lastAt = now;
    this.repeated = 0;
    write(level, { fields, msg: unreachableMessage(this.dependency, url, e) });
  }

  recovered(url: string, write: LineWriter): void {
    if (!this.down) return;
    this.down = false;
    this.lastAt = 0;
    this.repeated = 0;
    const { name, variable } = INFO[this.dependency];
    const target = dependencyTarget(this.dependency, url);
    write('info', { fields: { dependency: this.dependency, target, variable }, msg: `${name} reachable again at ${target}` });
  }
}

let intervalMs = DEPENDENCY_LOG_INTERVAL_MS;
const states: Record<Dependency, DependencyLogState> = {
  redis: new DependencyLogState('redis', () => intervalMs),
  postgres: new DependencyLogState('postgres', () => intervalMs),
};

/** The process-wide log of one dependency. */
export function dependencyLog(dependency: Dependency): DependencyLogState {
  return states[dependency];
}

/** For tests: how long repeats stay quiet. */
export function setDependencyLogInterval(ms: number): void {
  intervalMs = ms;
}

/** A writer onto a Nest-style logger (`warn(fields, msg)` as nestjs-pino takes it). */
export function nestWriter(logger: { warn(o: object, msg: string): void; log(o: object, msg: string): void; error(o: object, msg: string): void }): LineWriter {
  return (level, { fields, msg }) => {
    if (level === 'info') logger.log(fields, msg);
    else if (level === 'error') logger.error(fields, msg);
    else logger.warn(fields, msg);
  };
}

/** A writer of one pino-shaped JSON line on stdout, for the CLI before any application exists. */
export function jsonLineWriter(role: string, stream: { write(s: string): unknown } = process.stdout): LineWriter {
  const LEVEL = { info: 30, warn: 40, error: 50 };
  return (level, { fields, msg }) => {
    stream.write(`${JSON.stringify({ level: LEVEL[level], time: Date.now(), role, ...fields, msg })}\n`);
  };
}

/** A failure to reach a dependency that ends the command: the CLI prints it as one line. */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    readonly url: string,
    readonly causeError: unknown,
  ) {
    super(unreachableMessage(dependency, url, causeError));
    this.name = 'DependencyUnavailableError';
  }

  line(): DependencyLine {
    const { variable } = INFO[this.dependency];
    return {
      fields: { dependency: this.dependency, target: dependencyTarget(this.dependency, this.url), variable, ...errorText(this.causeError) },
      msg: this.message,
    };
  }
}

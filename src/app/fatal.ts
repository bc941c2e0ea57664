import { ConfigValidationError, loadConfig } from '../../libs/config';
import { portVariableFor } from './listening';
import { DependencyUnavailableError, jsonLineWriter } from '../../libs/observability/dependency-log';

/**
 * How a command that failed says so: one JSON line on stderr. A dependency out of reach
 * names what and where, and the variable to check; a bad configuration lists every bad
 * variable; anything else keeps its stack, inside the line.
 */
export function reportFatal(e: unknown): void {
  if (e instanceof ConfigValidationError) {
    process.stderr.write(`${e.message}\n`);
    return;
  }
  const cause = e instanceof DependencyUnavailableError ? e : findDependencyError(e);
  if (cause) {
    jsonLineWriter('cli', process.stderr)('error', cause.line());
    return;
  }
  const inUse = portInUse(e);
  if (inUse) {
    process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), role: 'cli', ...inUse.fields, msg: inUse.msg })}\n`);
    return;
  }
  const err = e instanceof Error ? { type: e.name, message: e.message, stack: e.stack } : { message: String(e) };
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), role: 'cli', err, msg: err.message })}\n`);
}

function findDependencyError(e: unknown, depth = 0): DependencyUnavailableError | undefined {
  if (e instanceof DependencyUnavailableError) return e;
  if (depth > 4 || !(e instanceof Error)) return undefined;
  return findDependencyError((e as { cause?: unknown }).cause, depth + 1);
}

/** A listen that failed because the port is taken: which port, and the variable that moves it. */
function portInUse(e: unknown): { fields: Record<string, unknown>; msg: string } | undefined {
  const err = e as { code?: unknown; port?: unknown; address?: unknown; message?: unknown } | undefined;
  if (!err || err.code !== 'EADDRINUSE') return undefined;
  const port = typeof err.port === 'number' ? err.port : Number(/:(\d+)\s*$/.exec(String(err.message))?.[1]);
  let variable: string | undefined;
  try {
    variable = portVariableFor(Number.isFinite(port) ? port : undefined, loadConfig());
  } catch {
    variable = undefined;
  }
  const where = `${typeof err.address === 'string' ? err.address : ''}:${Number.isFinite(port) ? port : '?'}`;
  const hint = variable ? `set ${variable} to a free port` : 'set PORT, WORKER_HEALTH_PORT, EGRESS_PORT or EGRESS_HEALTH_PORT to a free port';
  return { fields: { code: 'EADDRINUSE', port, variable }, msg: `${where} is already in use: ${hint}, or stop what listens there` };
}

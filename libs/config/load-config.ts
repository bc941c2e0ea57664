import { validateAllowList } from '../ssrf/allow-list';
import { CaravanConfig, isConfigValueError, readVariable, VARIABLES, VariableKey, VariableSpec } from './env.schema';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Parses every variable and reports all problems together, so an operator fixes a bad
 * deployment in one go instead of one restart per variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<CaravanConfig> = {}): CaravanConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(VARIABLES) as VariableKey[]) {
    if (key in overrides) {
      out[key] = overrides[key];
      continue;
    }
    const spec = VARIABLES[key] as VariableSpec<unknown>;
    try {
      out[key] = readVariable(spec, env);
    } catch (e) {
      if (!isConfigValueError(e)) throw e;
      problems.push(`${spec.name}: ${e.message}`);
    }
  }
  for (const problem of validateAllowList((out.egressAllow as string[] | undefined) ?? [])) problems.push(`EGRESS_ALLOW: ${problem}`);
  for (const problem of validateAllowList((out.brokerAllow as string[] | undefined) ?? [])) problems.push(`BROKER_ALLOW: ${problem}`);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return Object.freeze(out) as unknown as CaravanConfig;
}

/** The minimum Node major the runtime accepts; the npm scripts carry Node 24 themselves. */
export function assertNodeVersion(version: string = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (major < 22) {
    throw new Error(
      `Caravan needs Node.js 22 or newer (found ${version}). Run it through the npm scripts, which use the Node 24 the project installs, or with "npx node".`,
    );
  }
}

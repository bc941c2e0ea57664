import { readVariable, VARIABLES, VariableSpec } from './env.schema';

/**
 * The tracing variables alone, read before anything else is loaded (tracing must start
 * before the modules it instruments). A malformed value yields no endpoint here: tracing
 * stays off and loadConfig, which runs next, reports it with every other problem.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): { endpoint: string | undefined; serviceName: string } {
  const read = <T>(spec: VariableSpec<T>): T | undefined => {
    try {
      return readVariable(spec, env);
    } catch {
      return undefined;
    }
  };
  const protocolOk = read(VARIABLES.tracingProtocol) !== undefined;
  return { endpoint: protocolOk ? read(VARIABLES.tracingEndpoint) : undefined, serviceName: read(VARIABLES.tracingServiceName) || 'caravan' };
}

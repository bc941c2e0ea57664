import { headerValueProblem, RESERVED_HEADER_NAMES } from '../../common/http/json-guard';

/**
 * Headers an endpoint's credentials must not set: the ones no producer may set either
 * (hop-by-hop, framing, signature and id headers), plus proxy headers and the body's
 * content headers, which the gateway owns.
 */
function reservedForCredentials(lower: string): boolean {
  return RESERVED_HEADER_NAMES.has(lower) || lower.startsWith('proxy-') || lower === 'content-type' || lower === 'content-encoding';
}

/** Why a credential value cannot be sent (control characters, characters outside ISO-8859-1), or undefined. */
export function authValueProblem(field: string, value: string): string | undefined {
  const problem = headerValueProblem(value);
  return problem ? `${field} ${problem}` : undefined;
}

/** Why `name` cannot carry an endpoint credential, or undefined when it can. */
export function authHeaderProblem(name: string, projectSignatureHeader: string): string | undefined {
  const lower = name.toLowerCase();
  if (reservedForCredentials(lower) || lower === projectSignatureHeader.toLowerCase()) {
    return `header_name "${name}" is reserved by the gateway`;
  }
  return undefined;
}

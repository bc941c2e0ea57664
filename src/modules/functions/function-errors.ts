import { DomainError, unavailable, unprocessable } from '../../common/errors/domain-error';
import { FunctionFailure } from './function-sandbox';

/**
 * A failed run as an API error. The function's own faults are bad input (400, as Convoy
 * answers them, with the failure in the code); a sandbox that could not run it is 503.
 */
export function functionError(e: FunctionFailure, field?: string): DomainError {
  if (!e.byFunction) return unavailable('function_sandbox_unavailable', e.message);
  const message = field ? `${field}: ${e.message}` : e.message;
  return field ? unprocessable('invalid_function', message, { reason: e.kind }) : unprocessable(`function_${e.kind}`, message);
}

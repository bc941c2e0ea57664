/**
 * PostgreSQL failures that say "try again later" rather than "your input is wrong":
 * connection loss, admin shutdown, serialization/deadlock, too many connections.
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '57014']);
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'ECONNREFUSED',
  'ECONNRESET',
  'Client has encountered a connection error',
  'terminating connection',
  'Connection ended',
  'the database system is',
];

export function isTransientDatabaseError(e: unknown): boolean {
  // not `instanceof Error`: errors raised by node's own modules come from another realm in
  // some runners (jest's VM context), and a connection refusal is exactly such an error
  if (typeof e !== 'object' || e === null || typeof (e as { message?: unknown }).message !== 'string') return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || code === 'ECONNREFUSED' || code === 'ECONNRESET')) return true;
  const driverError = (e as { driverError?: unknown }).driverError;
  if (driverError && driverError !== e && isTransientDatabaseError(driverError)) return true;
  const message = (e as { message: string }).message;
  return TRANSIENT_MESSAGES.some((m) => message.includes(m));
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = err?.code ?? err?.driverError?.code;
  const name = err?.constraint ?? err?.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** The statement ran past its `statement_timeout` (SQLSTATE 57014, query_canceled). */
export function isStatementTimeout(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  return (err?.code ?? err?.driverError?.code) === '57014';
}

/**
 * Headers an endpoint's credentials must not set: hop-by-hop and framing headers would
 * corrupt the request, and signature or id headers would let a credential forge what
 * the gateway vouches for.
 */
const RESERVED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'expect',
  'x-convoy-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-convoy-message-type',
  'x-convoy-idempotency-key',
  'x-convoy-event-id',
  'x-convoy-delivery-id',
]);

/** Why `name` cannot carry an endpoint credential, or undefined when it can. */
export function authHeaderProblem(name: string, projectSignatureHeader: string): string | undefined {
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.has(lower) || lower === projectSignatureHeader.toLowerCase()) {
    return `header_name "${name}" is reserved by the gateway`;
  }
  return undefined;
}

import { unprocessable } from '../../common/errors/domain-error';
import { parseSelector } from './request-selectors';
import { DEFAULT_TOLERANCE_SECONDS, signsPayload, SourceProvider, VerifierConfig } from './verifiers';
import type { SourceVerifierDto } from './dto/source.dto';

/**
 * The write-time checks of a source's settings, each refusal naming its field. Pure, so
 * create and update share them and unit tests reach every branch.
 */
export function verifierFromDto(dto: SourceVerifierDto | undefined, provider: SourceProvider | ''): VerifierConfig {
  if (provider) {
    // a preset fixes header, hash and encoding; the secret is the user's (Convoy asks the same)
    const secret = dto?.hmac?.secret;
    if (!secret) throw invalid('verifier', `verifier.hmac.secret is required for a ${provider} source`);
    return { type: 'hmac', hmac: { header: '', hash: 'SHA256', encoding: 'hex', secret } };
  }
  if (!dto) return { type: 'noop' };
  switch (dto.type) {
    case 'noop':
      return { type: 'noop' };
    case 'basic_auth':
      if (!dto.basic_auth) throw invalid('verifier', 'verifier.basic_auth is required for type basic_auth');
      return { type: 'basic_auth', basic_auth: { username: dto.basic_auth.username, password: dto.basic_auth.password } };
    case 'api_key':
      if (!dto.api_key) throw invalid('verifier', 'verifier.api_key is required for type api_key');
      return { type: 'api_key', api_key: { header_name: dto.api_key.header_name, header_value: dto.api_key.header_value } };
    case 'hmac': {
      const h = dto.hmac;
      if (!h) throw invalid('verifier', 'verifier.hmac is required for type hmac');
      const scheme = h.scheme ?? 'simple';
      const tolerance = h.tolerance ?? DEFAULT_TOLERANCE_SECONDS;
      if (scheme === 'standard_webhooks') {
        if (!/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(h.secret) || Buffer.from(h.secret.replace(/^whsec_/, ''), 'base64').length < 16) {
          throw invalid('verifier', 'verifier.hmac.secret must be a Standard Webhooks secret (whsec_ and at least 16 bytes of base64)');
        }
        return { type: 'standard_webhooks', standard_webhooks: { secret: h.secret, tolerance } };
      }
      if (!h.header) throw invalid('verifier', `verifier.hmac.header is required for the ${scheme} scheme`);
      if (scheme === 'timestamped') {
        if (h.encoding && h.encoding !== 'hex') throw invalid('verifier', 'verifier.hmac.encoding must be hex for the timestamped scheme');
        return { type: 'timestamped_hmac', timestamped_hmac: { header: h.header, hash: h.hash ?? 'SHA256', secret: h.secret, tolerance } };
      }
      if (!h.hash) throw invalid('verifier', 'verifier.hmac.hash is required');
      if (!h.encoding) throw invalid('verifier', 'verifier.hmac.encoding is required');
      return { type: 'hmac', hmac: { header: h.header, hash: h.hash, encoding: h.encoding, secret: h.secret } };
    }
  }
}

export function checkIdempotencyKeys(keys: string[]): string[] {
  for (const [i, k] of keys.entries()) {
    const s = parseSelector(k);
    if (typeof s === 'string') throw invalid('idempotency_keys', `idempotency_keys[${i}]: ${s}`);
  }
  return keys;
}

/** The event type location, refused where it reads what the signature does not cover. */
export function checkEventTypeLocation(location: string, provider: SourceProvider | '', verifier: VerifierConfig): string {
  if (location === '') return '';
  const s = parseSelector(location);
  if (typeof s === 'string') throw invalid('event_type_location', `event_type_location: ${s}`);
  if (s.place !== 'body' && signsPayload(provider, verifier.type)) {
    throw invalid(
      'event_type_location',
      'event_type_location cannot read request headers or query parameters with a signing verifier: the signature covers only the body',
    );
  }
  return location;
}

export function checkForwardHeaders(names: string[]): string[] {
  const seen = new Set<string>();
  for (const n of names) {
    const lower = n.toLowerCase();
    if (seen.has(lower)) throw invalid('forward_headers', `forward_headers: ${n} is given more than once`);
    seen.add(lower);
  }
  return names;
}

function invalid(field: string, message: string) {
  return unprocessable(`invalid_${field}`, message, { field });
}

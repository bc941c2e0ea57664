import { DomainError } from '../../common/errors/domain-error';
import { checkEventTypeLocation, checkForwardHeaders, checkIdempotencyKeys, verifierFromDto } from './source-settings';
import type { SourceVerifierDto } from './dto/source.dto';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.status} ${e.message}`;
    throw e;
  }
  throw new Error('not refused');
};

describe('source settings', () => {
  it('a provider needs only the hmac secret', () => {
    expect(verifierFromDto({ type: 'hmac', hmac: { secret: 's' } }, 'github')).toMatchObject({ type: 'hmac', hmac: { secret: 's' } });
    expect(refusal(() => verifierFromDto(undefined, 'shopify'))).toBe('400 verifier.hmac.secret is required for a shopify source');
  });

  it('no verifier is noop; each type needs its own block', () => {
    expect(verifierFromDto(undefined, '')).toEqual({ type: 'noop' });
    expect(refusal(() => verifierFromDto({ type: 'basic_auth' }, ''))).toBe('400 verifier.basic_auth is required for type basic_auth');
    expect(refusal(() => verifierFromDto({ type: 'api_key' }, ''))).toBe('400 verifier.api_key is required for type api_key');
    expect(refusal(() => verifierFromDto({ type: 'hmac' }, ''))).toBe('400 verifier.hmac is required for type hmac');
  });

  it('hmac schemes: simple needs header, hash and encoding; timestamped a header; standard webhooks a whsec_ secret', () => {
    const h = (hmac: SourceVerifierDto['hmac']): SourceVerifierDto => ({ type: 'hmac', hmac });
    expect(refusal(() => verifierFromDto(h({ secret: 's', hash: 'SHA256', encoding: 'hex' }), ''))).toContain('verifier.hmac.header is required');
    expect(refusal(() => verifierFromDto(h({ secret: 's', header: 'X', encoding: 'hex' }), ''))).toContain('verifier.hmac.hash is required');
    expect(verifierFromDto(h({ secret: 's', header: 'X', hash: 'SHA512', encoding: 'base64' }), '')).toEqual({
      type: 'hmac',
      hmac: { header: 'X', hash: 'SHA512', encoding: 'base64', secret: 's' },
    });
    expect(verifierFromDto(h({ secret: 's', header: 'Stripe-Signature', scheme: 'timestamped' }), '')).toEqual({
      type: 'timestamped_hmac',
      timestamped_hmac: { header: 'Stripe-Signature', hash: 'SHA256', secret: 's', tolerance: 300 },
    });
    expect(refusal(() => verifierFromDto(h({ secret: 's', header: 'X', scheme: 'timestamped', encoding: 'base64' }), ''))).toContain('must be hex');
    const whsec = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    expect(verifierFromDto(h({ secret: whsec, scheme: 'standard_webhooks', tolerance: 60 }), '')).toEqual({
      type: 'standard_webhooks',
      standard_webhooks: { secret: whsec, tolerance: 60 },
    });
    expect(refusal(() => verifierFromDto(h({ secret: 'not base64!', scheme: 'standard_webhooks' }), ''))).toContain('Standard Webhooks secret');
  });

  it('selectors and forwarded headers', () => {
    expect(checkIdempotencyKeys(['request.header.X-Id', 'req.body.data.id'])).toHaveLength(2);
    expect(refusal(() => checkIdempotencyKeys(['request.header.X-Id', 'body.id']))).toContain('idempotency_keys[1]');
    expect(refusal(() => checkForwardHeaders(['X-A', 'x-a']))).toContain('more than once');
  });

  it('the event type comes from the body only when a signature covers only the body', () => {
    const signed = verifierFromDto({ type: 'hmac', hmac: { secret: 's', header: 'X', hash: 'SHA256', encoding: 'hex' } }, '');
    expect(checkEventTypeLocation('request.body.type', '', signed)).toBe('request.body.type');
    expect(refusal(() => checkEventTypeLocation('request.query.type', '', signed))).toContain('cannot read request headers or query');
    expect(refusal(() => checkEventTypeLocation('request.header.X-Event', 'github', { type: 'noop' }))).toContain('cannot read');
    expect(checkEventTypeLocation('request.header.X-Event', '', { type: 'noop' })).toBe('request.header.X-Event');
    expect(checkEventTypeLocation('', 'github', signed)).toBe('');
  });
});

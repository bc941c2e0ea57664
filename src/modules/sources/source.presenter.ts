import { Injectable } from '@nestjs/common';
import { SourceResponseDto, SourceVerifierResponseDto } from './dto/source.dto';
import { pubSubView } from './pub-sub-settings';
import { SourceEntity, StoredVerifier } from './source.entity';
import { SourcesService } from './sources.service';

/** Convoy's `SourceResponse`, without the verifier's secrets (they are write-only). */
@Injectable()
export class SourcePresenter {
  constructor(private readonly sources: SourcesService) {}

  toResponse(s: SourceEntity): SourceResponseDto {
    return {
      uid: s.id,
      project_id: s.projectId,
      mask_id: s.maskId,
      name: s.name,
      type: s.type,
      provider: s.provider,
      is_disabled: s.isDisabled,
      url: this.sources.urlOf(s),
      verifier: verifierView(s.verifier, s.provider),
      custom_response: s.customResponse,
      idempotency_keys: s.idempotencyKeys,
      event_type_location: s.eventTypeLocation,
      forward_headers: s.forwardHeaders,
      body_function: s.bodyFunction,
      header_function: s.headerFunction,
      provider_config: s.providerConfig,
      pub_sub: s.pubSub ? pubSubView(s.pubSub) : null,
      rate_limit: s.rateLimit,
      rate_limit_duration: s.rateLimitDuration,
      created_at: s.createdAt.toISOString(),
      updated_at: s.updatedAt.toISOString(),
      deleted_at: s.deletedAt ? s.deletedAt.toISOString() : null,
    };
  }
}

const PROVIDER_HMAC = {
  github: { header: 'X-Hub-Signature-256', encoding: 'hex' },
  shopify: { header: 'X-Shopify-Hmac-Sha256', encoding: 'base64' },
  twitter: { header: 'X-Twitter-Webhooks-Signature', encoding: 'base64' },
} as const;

function verifierView(v: StoredVerifier, provider: SourceEntity['provider']): SourceVerifierResponseDto {
  const none = { hmac: null, basic_auth: null, api_key: null };
  if (provider) {
    const p = PROVIDER_HMAC[provider];
    return { ...none, type: 'hmac', hmac: { header: p.header, hash: 'SHA256', encoding: p.encoding, scheme: 'simple', tolerance: null } };
  }
  switch (v.type) {
    case 'noop':
      return { ...none, type: 'noop' };
    case 'hmac':
      return { ...none, type: 'hmac', hmac: { header: v.hmac.header, hash: v.hmac.hash, encoding: v.hmac.encoding, scheme: 'simple', tolerance: null } };
    case 'standard_webhooks':
      return {
        ...none,
        type: 'hmac',
        hmac: { header: 'webhook-signature', hash: 'SHA256', encoding: 'base64', scheme: 'standard_webhooks', tolerance: v.standard_webhooks.tolerance },
      };
    case 'timestamped_hmac':
      return {
        ...none,
        type: 'hmac',
        hmac: {
          header: v.timestamped_hmac.header,
          hash: v.timestamped_hmac.hash,
          encoding: 'hex',
          scheme: 'timestamped',
          tolerance: v.timestamped_hmac.tolerance,
        },
      };
    case 'basic_auth':
      return { ...none, type: 'basic_auth', basic_auth: { username: v.basic_auth.username } };
    case 'api_key':
      return { ...none, type: 'api_key', api_key: { header_name: v.api_key.header_name } };
  }
}

import { Injectable } from '@nestjs/common';
import type { EndpointHealthView } from '../../../libs/endpoint-health';
import { EncryptionService } from '../instance';
import { EndpointAuthenticationResponseDto, EndpointResponseDto, OAuth2ResponseDto } from './dto/endpoint.dto';
import { EndpointEntity, StoredAuthentication } from './endpoint.entity';
import { REDACTED_SECRET, StoredOAuth2 } from './oauth2/oauth2-config';

/** Convoy's per-endpoint counters, which Caravan does not keep; null is Convoy's own "not loaded". */
const NO_COUNTERS = { failure_count: null, success_count: null, retry_count: null, period_failure_rate: null } as const;

/** Maps an endpoint to Convoy's `EndpointResponse`, opening the sealed secrets as Convoy returns them in plaintext. */
@Injectable()
export class EndpointPresenter {
  constructor(private readonly encryption: EncryptionService) {}

  /** `health` is the shared breaker state, when the caller read it (reads do; writes answer null). */
  toResponse(e: EndpointEntity, health?: EndpointHealthView): EndpointResponseDto {
    return {
      uid: e.id,
      project_id: e.projectId,
      name: e.name,
      url: e.url,
      description: e.description,
      owner_id: e.ownerId,
      status: e.status,
      secrets: e.secrets
        .filter((s) => !s.deleted_at)
        .map((s) => ({
          uid: s.uid,
          value: this.encryption.open(s.value),
          created_at: s.created_at,
          updated_at: s.updated_at,
          expires_at: s.expires_at,
          deleted_at: s.deleted_at,
        })),
      advanced_signatures: e.advancedSignatures,
      http_timeout: e.httpTimeout,
      rate_limit: e.rateLimit,
      rate_limit_duration: e.rateLimitDuration,
      max_concurrency: e.maxConcurrency,
      content_type: e.contentType,
      support_email: e.supportEmail,
      slack_webhook_url: e.slackWebhookUrl,
      authentication: e.authentication ? this.authentication(e.authentication) : null,
      // the key never leaves the gateway (Convoy shows the same placeholder)
      mtls_client_cert: e.mtlsClientCert ? { client_cert: e.mtlsClientCert.client_cert, client_key: REDACTED_SECRET } : null,
      created_at: e.createdAt.toISOString(),
      updated_at: e.updatedAt.toISOString(),
      deleted_at: e.deletedAt ? e.deletedAt.toISOString() : null,
      cb_state: health?.cb_state ?? null,
      failure_rate: health?.failure_rate ?? null,
      ...NO_COUNTERS,
    };
  }

  private authentication(a: StoredAuthentication): EndpointAuthenticationResponseDto {
    if (a.type === 'oauth2') return { type: a.type, api_key: null, basic_auth: null, oauth2: oauth2Response(a.oauth2) };
    if (a.type === 'api_key') {
      return {
        type: a.type,
        api_key: { header_name: a.api_key.header_name, header_value: this.encryption.open(a.api_key.header_value) },
        basic_auth: null,
        oauth2: null,
      };
    }
    return {
      type: a.type,
      api_key: null,
      basic_auth: { username: a.basic_auth.username, password: this.encryption.open(a.basic_auth.password) },
      oauth2: null,
    };
  }
}

/** OAuth2 settings without their secrets: the client secret as a placeholder, the key's public members only. */
function oauth2Response(o: StoredOAuth2): OAuth2ResponseDto {
  return {
    url: o.url,
    client_id: o.client_id,
    grant_type: o.grant_type,
    scope: o.scope,
    audience: o.audience,
    authentication_type: o.authentication_type,
    client_secret: o.client_secret ? REDACTED_SECRET : null,
    signing_key: o.signing_key_public ? { ...o.signing_key_public } : null,
    signing_algorithm: o.signing_algorithm,
    issuer: o.issuer,
    subject: o.subject,
    field_mapping: o.field_mapping
      ? { access_token: o.field_mapping.access_token ?? '', token_type: o.field_mapping.token_type ?? '', expires_in: o.field_mapping.expires_in ?? '' }
      : null,
    expiry_time_unit: o.expiry_time_unit,
  };
}

/**
 * What other answers tell about an endpoint (a delivery's or event's `endpoint_metadata`,
 * meta events): never its secrets or credentials.
 */
export function endpointSummary(e: EndpointEntity): Record<string, unknown> {
  return {
    uid: e.id,
    project_id: e.projectId,
    name: e.name,
    url: e.url,
    description: e.description,
    owner_id: e.ownerId,
    status: e.status,
    http_timeout: e.httpTimeout,
    rate_limit: e.rateLimit,
    rate_limit_duration: e.rateLimitDuration,
    support_email: e.supportEmail,
    slack_webhook_url: e.slackWebhookUrl,
    advanced_signatures: e.advancedSignatures,
    content_type: e.contentType,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    deleted_at: e.deletedAt ? e.deletedAt.toISOString() : null,
    // the breaker state is not read for summaries
    cb_state: null,
    failure_rate: null,
    ...NO_COUNTERS,
  };
}

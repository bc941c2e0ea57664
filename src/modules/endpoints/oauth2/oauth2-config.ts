import type { SealedSecret } from '../../../common/crypto/secret-box';
import { DEFAULT_SIGNING_ALGORITHM, importSigningKey, isSigningAlgorithm, PUBLIC_JWK_MEMBERS, SigningJwk } from './client-assertion';
import { EXPIRY_TIME_UNITS, ExpiryTimeUnit, TokenFieldMapping } from './token-response';

export type OAuth2AuthenticationType = 'shared_secret' | 'client_assertion';

/** An endpoint's OAuth2 client settings in plaintext, as the token request needs them. */
export interface OAuth2Config {
  url: string;
  client_id: string;
  grant_type: string;
  scope: string;
  audience: string;
  authentication_type: OAuth2AuthenticationType;
  client_secret?: string;
  signing_key?: SigningJwk;
  signing_algorithm: string;
  issuer: string;
  subject: string;
  field_mapping: TokenFieldMapping | null;
  expiry_time_unit: ExpiryTimeUnit;
}

/** As stored in `endpoints.authentication`: the client secret and the private JWK sealed. */
export interface StoredOAuth2 extends Omit<OAuth2Config, 'client_secret' | 'signing_key'> {
  client_secret: SealedSecret | null;
  /** the whole JWK as JSON, sealed */
  signing_key: SealedSecret | null;
  /** its public members, for answers */
  signing_key_public: Partial<SigningJwk> | null;
}

/** What a client sends: Convoy's `models.OAuth2`, every member optional until checked. */
export interface OAuth2Input {
  url?: string;
  client_id?: string;
  grant_type?: string;
  scope?: string;
  audience?: string;
  authentication_type?: string;
  client_secret?: string;
  signing_key?: Partial<SigningJwk>;
  signing_algorithm?: string;
  issuer?: string;
  subject?: string;
  field_mapping?: TokenFieldMapping | null;
  expiry_time_unit?: string;
}

export const DEFAULT_GRANT_TYPE = 'client_credentials';

/** Shown instead of a secret the gateway keeps but never returns (Convoy's placeholder). */
export const REDACTED_SECRET = '[REDACTED]';

/** A bad setting, named by its path under `field`. */
export class OAuth2ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuth2ConfigError';
  }
}

/**
 * Checks a client's OAuth2 settings the way Convoy does (url, client_id and
 * authentication_type required; client_secret for shared_secret; a private JWK, issuer and
 * subject for client_assertion) and more: the key is imported and must suit the algorithm.
 * The token URL's own policy check is the caller's (it needs the project's settings).
 */
export function checkOAuth2(input: OAuth2Input | undefined, field: string): OAuth2Config {
  if (!input) throw new OAuth2ConfigError(`${field} is required for type oauth2`);
  const url = input.url ?? '';
  if (!url) throw new OAuth2ConfigError(`${field}.url is required`);
  if (!input.client_id) throw new OAuth2ConfigError(`${field}.client_id is required`);
  const type = input.authentication_type ?? '';
  if (!type) throw new OAuth2ConfigError(`${field}.authentication_type is required`);
  if (type !== 'shared_secret' && type !== 'client_assertion')
    throw new OAuth2ConfigError(`${field}.authentication_type must be shared_secret or client_assertion`);
  const unit = input.expiry_time_unit || 'seconds';
  if (!(EXPIRY_TIME_UNITS as readonly string[]).includes(unit))
    throw new OAuth2ConfigError(`${field}.expiry_time_unit must be one of ${EXPIRY_TIME_UNITS.join(', ')}`);
  const config: OAuth2Config = {
    url,
    client_id: input.client_id,
    grant_type: input.grant_type || DEFAULT_GRANT_TYPE,
    scope: input.scope ?? '',
    audience: input.audience ?? '',
    authentication_type: type,
    signing_algorithm: '',
    issuer: input.issuer ?? '',
    subject: input.subject ?? '',
    field_mapping: input.field_mapping && Object.values(input.field_mapping).some(Boolean) ? { ...input.field_mapping } : null,
    expiry_time_unit: unit as ExpiryTimeUnit,
  };
  if (type === 'shared_secret') {
    if (!input.client_secret) throw new OAuth2ConfigError(`${field}.client_secret is required for shared_secret authentication`);
    if (input.client_secret === REDACTED_SECRET)
      throw new OAuth2ConfigError(`${field}.client_secret must be the secret itself, not the placeholder answers show`);
    config.client_secret = input.client_secret;
    return config;
  }
  const alg = input.signing_algorithm || DEFAULT_SIGNING_ALGORITHM;
  if (!isSigningAlgorithm(alg)) throw new OAuth2ConfigError(`${field}.signing_algorithm ${JSON.stringify(alg)} is not supported`);
  if (!input.signing_key) throw new OAuth2ConfigError(`${field}.signing_key is required for client_assertion authentication`);
  if (!input.issuer) throw new OAuth2ConfigError(`${field}.issuer is required for client_assertion authentication`);
  if (!input.subject) throw new OAuth2ConfigError(`${field}.subject is required for client_assertion authentication`);
  const jwk = { ...input.signing_key, kty: input.signing_key.kty ?? '', kid: input.signing_key.kid ?? '' };
  try {
    importSigningKey(jwk, alg, `${field}.signing_key`);
  } catch (e) {
    throw new OAuth2ConfigError((e as Error).message);
  }
  config.signing_algorithm = alg;
  config.signing_key = jwk;
  return config;
}

export function publicJwk(jwk: SigningJwk): Partial<SigningJwk> {
  const out: Partial<SigningJwk> = {};
  for (const m of PUBLIC_JWK_MEMBERS) if (jwk[m]) out[m] = jwk[m];
  return out;
}

/** The form of the token request (RFC 6749 §4.4, with RFC 7523 client assertions). */
export function tokenRequestForm(config: OAuth2Config, assertion?: string): URLSearchParams {
  const form = new URLSearchParams();
  form.set('grant_type', config.grant_type || DEFAULT_GRANT_TYPE);
  form.set('client_id', config.client_id);
  if (config.authentication_type === 'shared_secret') form.set('client_secret', config.client_secret ?? '');
  else {
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', assertion ?? '');
  }
  if (config.scope) form.set('scope', config.scope);
  if (config.audience) form.set('audience', config.audience);
  return form;
}

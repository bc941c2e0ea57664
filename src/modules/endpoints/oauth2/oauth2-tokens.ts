import { Injectable } from '@nestjs/common';
import { USER_AGENT, WebhookClient } from '../../webhook-http';
import { buildClientAssertion, importSigningKey, isSigningAlgorithm } from './client-assertion';
import { OAuth2Config, tokenRequestForm } from './oauth2-config';
import { IssuedToken, readTokenResponse, refreshAtMs, TokenResponseError } from './token-response';

/** A token request never takes longer than this, whatever the delivery's own timeout. */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Tokens kept per process; the least recently used go first. */
const MAX_CACHED_TOKENS = 10_000;
const MAX_ERROR_DETAIL = 200;

/**
 * The token endpoint did not give a token. `errorClass` is the transport's class when the
 * request did not get an answer (so an egress denial or a proxy outage means what it means
 * for a delivery), else `oauth2_token`.
 */
export class TokenRequestError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

export interface GrantedToken extends IssuedToken {
  issuedAtMs: number;
  /** `<token_type> <access_token>`, the Authorization header value */
  authorization: string;
}

interface Entry {
  version: string;
  token: GrantedToken;
}

function detailOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const parts = [parsed.error, parsed.error_description].filter((p) => typeof p === 'string' && p !== '');
    if (parts.length) return ` (${parts.join(': ').slice(0, MAX_ERROR_DETAIL)})`;
  } catch {
    // not JSON: say nothing of the body
  }
  return '';
}

/**
 * Access tokens of endpoints with OAuth2, kept in this process until shortly before they
 * expire and shared by all its deliveries to the endpoint; concurrent deliveries wait for
 * one token request. Tokens stay out of Redis on purpose: they are live bearer credentials,
 * Redis here holds nothing secret, and one token per worker process costs the token
 * endpoint a request per process per token lifetime.
 */
@Injectable()
export class OAuth2Tokens {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, { version: string; promise: Promise<GrantedToken> }>();

  constructor(private readonly client: WebhookClient) {}

  /**
   * The Authorization header value for the endpoint `owner`. `version` changes whenever its
   * OAuth2 settings do, so a token of old settings is never used. `rejected` is a header
   * value the endpoint answered 401 to: a cached token equal to it is dropped and a new
   * one requested (once; a token another delivery already renewed is reused).
   */
  async authorization(
    owner: string,
    version: string,
    config: OAuth2Config,
    opts: { timeoutMs: number; rejected?: string; now?: () => number },
  ): Promise<string> {
    const now = opts.now ?? Date.now;
    const hit = this.cache.get(owner);
    if (hit && hit.version === version) {
      const fresh = now() < refreshAtMs(hit.token.issuedAtMs, hit.token.lifetimeMs);
      if (fresh && hit.token.authorization !== opts.rejected) {
        this.cache.delete(owner);
        this.cache.set(owner, hit);
        return hit.token.authorization;
      }
    }
    const inFlight = this.pending.get(owner);
    if (inFlight && inFlight.version === version) return (await inFlight.promise).authorization;
    const promise = this.request(config, opts.timeoutMs, now);
    this.pending.set(owner, { version, promise });
    try {
      const token = await promise;
      this.cache.delete(owner);
      this.cache.set(owner, { version, token });
      if (this.cache.size > MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value as string);
      return token.authorization;
    } finally {
      if (this.pending.get(owner)?.promise === promise) this.pending.delete(owner);
    }
  }

  /** Forgets the endpoint's token (its settings changed or it was deleted). */
  forget(owner: string): void {
    this.cache.delete(owner);
  }

  /** One token request with these settings, cached nowhere (the test route's). */
  async request(config: OAuth2Config, timeoutMs: number, now: () => number = Date.now): Promise<GrantedToken> {
    const issuedAtMs = now();
    let assertion: string | undefined;
    if (config.authentication_type === 'client_assertion') {
      const alg = config.signing_algorithm;
      if (!config.signing_key || !isSigningAlgorithm(alg)) throw new TokenRequestError('oauth2_token', 'oauth2 client_assertion has no usable signing key');
      try {
        assertion = buildClientAssertion({
          key: importSigningKey(config.signing_key, alg),
          kid: config.signing_key.kid,
          algorithm: alg,
          clientId: config.client_id,
          issuer: config.issuer,
          subject: config.subject,
          audience: config.url,
          now: new Date(issuedAtMs),
        });
      } catch (e) {
        throw new TokenRequestError('oauth2_token', `oauth2 client assertion could not be signed: ${(e as Error).message}`);
      }
    }
    const outcome = await this.client.send({
      url: config.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': USER_AGENT },
      body: tokenRequestForm(config, assertion).toString(),
      timeoutMs: Math.max(1, Math.min(timeoutMs, TOKEN_REQUEST_TIMEOUT_MS)),
    });
    if (outcome.status === undefined) throw new TokenRequestError(outcome.errorClass || 'oauth2_token', `oauth2 token request failed: ${outcome.error}`);
    if (outcome.status < 200 || outcome.status > 299)
      throw new TokenRequestError('oauth2_token', `oauth2 token endpoint answered ${outcome.status}${detailOf(outcome.body)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(outcome.body);
    } catch {
      throw new TokenRequestError('oauth2_token', 'oauth2 token endpoint did not answer JSON');
    }
    try {
      const token = readTokenResponse(parsed, config.field_mapping, config.expiry_time_unit, issuedAtMs);
      return { ...token, issuedAtMs, authorization: `${token.tokenType} ${token.accessToken}` };
    } catch (e) {
      if (e instanceof TokenResponseError) throw new TokenRequestError('oauth2_token', `oauth2 ${e.message.replace(/^the /, '')}`);
      throw e;
    }
  }
}

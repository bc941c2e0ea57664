import { PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';
import { MAX_SECRET_EXPIRATION_SECONDS } from '../endpoint-secrets';

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** No CR, LF or NUL: a header value must not be able to start a new header. */
const HEADER_VALUE = /^[^\r\n\0]{1,4096}$/;

export class EndpointApiKeyDto {
  /** header that carries the key, e.g. `X-Api-Key` */
  @IsString() @Matches(HEADER_NAME, { message: 'header_name must be an HTTP header name' }) header_name!: string;
  @IsString() @Matches(HEADER_VALUE, { message: 'header_value must be 1-4096 characters without CR, LF or NUL' }) header_value!: string;
}

export class EndpointBasicAuthDto {
  @IsString() @Matches(/^[^:\r\n\0]{1,256}$/, { message: 'username must be 1-256 characters without ":", CR, LF or NUL' }) username!: string;
  @IsString() @Matches(/^[^\r\n\0]{1,1024}$/, { message: 'password must be 1-1024 characters without CR, LF or NUL' }) password!: string;
}

/** A JWK member: base64url text. */
const JWK_MEMBER = /^[A-Za-z0-9_-]{1,2048}$/;

/** A private JWK (EC or RSA) that signs client assertions; never returned in answers. */
export class OAuth2SigningKeyDto {
  /** `EC` or `RSA` */
  @IsOptional() @IsIn(['EC', 'RSA']) kty?: string;
  @IsOptional() @IsString() @Matches(/^[^\r\n\0]{1,256}$/, { message: 'kid must be 1-256 characters without CR, LF or NUL' }) kid?: string;
  /** EC curve: `P-256`, `P-384` or `P-521` */
  @IsOptional() @IsIn(['P-256', 'P-384', 'P-521']) crv?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'x must be base64url' }) x?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'y must be base64url' }) y?: string;
  /** the private key (EC) or private exponent (RSA) */
  @IsOptional() @Matches(JWK_MEMBER, { message: 'd must be base64url' }) d?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'n must be base64url' }) n?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'e must be base64url' }) e?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'p must be base64url' }) p?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'q must be base64url' }) q?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'dp must be base64url' }) dp?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'dq must be base64url' }) dq?: string;
  @IsOptional() @Matches(JWK_MEMBER, { message: 'qi must be base64url' }) qi?: string;
}

const FIELD_NAME = /^[^\0]{1,128}$/;

/** Member names of a token answer that does not use the standard ones. */
export class OAuth2FieldMappingDto {
  /** e.g. `accessToken` (default `access_token`) */
  @IsOptional() @IsString() @Matches(FIELD_NAME, { message: 'access_token must be 1-128 characters' }) access_token?: string;
  /** e.g. `tokenType` (default `token_type`) */
  @IsOptional() @IsString() @Matches(FIELD_NAME, { message: 'token_type must be 1-128 characters' }) token_type?: string;
  /** e.g. `expiresIn` or `expiresAt` (default `expires_in`); a Unix time or date there is read as the moment of expiry */
  @IsOptional() @IsString() @Matches(FIELD_NAME, { message: 'expires_in must be 1-128 characters' }) expires_in?: string;
}

/** Convoy's `models.OAuth2`: the client credentials grant, with a shared secret or a signed client assertion. */
export class OAuth2Dto {
  /** the token endpoint; checked like endpoint URLs */
  @IsOptional() @IsString() @MaxLength(2048) url?: string;
  @IsOptional() @IsString() @Matches(/^[^\r\n\0]{0,512}$/, { message: 'client_id must be at most 512 characters without CR, LF or NUL' }) client_id?: string;
  /** default `client_credentials` */
  @IsOptional() @IsString() @Matches(/^[!-~]{0,256}$/, { message: 'grant_type must be printable ASCII without spaces' }) grant_type?: string;
  @IsOptional() @IsString() @MaxLength(2048) scope?: string;
  @IsOptional() @IsString() @MaxLength(2048) audience?: string;
  /** `shared_secret` (client_secret) or `client_assertion` (a JWT signed with signing_key) */
  @IsOptional() @IsString() authentication_type?: string;
  /** sealed at rest, never returned */
  @IsOptional() @IsString() @MaxLength(4096) client_secret?: string;
  /** sealed at rest; answers show only its public members */
  @IsOptional() @ValidateNested() @Type(() => OAuth2SigningKeyDto) signing_key?: OAuth2SigningKeyDto;
  /** ES256 (default), ES384, ES512, RS256, RS384, RS512, PS256, PS384 or PS512 */
  @IsOptional() @IsString() signing_algorithm?: string;
  /** the assertion's `iss` */
  @IsOptional() @IsString() @MaxLength(2048) issuer?: string;
  /** the assertion's `sub` */
  @IsOptional() @IsString() @MaxLength(2048) subject?: string;
  @IsOptional() @ValidateNested() @Type(() => OAuth2FieldMappingDto) field_mapping?: OAuth2FieldMappingDto | null;
  /** unit of the answer's expiry: seconds (default), milliseconds, minutes or hours */
  @IsOptional() @IsString() expiry_time_unit?: string;
}

export class EndpointAuthenticationDto {
  /** `api_key`, `basic_auth` or `oauth2`; empty removes authentication */
  @IsIn(['api_key', 'basic_auth', 'oauth2', '']) type!: 'api_key' | 'basic_auth' | 'oauth2' | '';
  @IsOptional() @ValidateNested() @Type(() => EndpointApiKeyDto) api_key?: EndpointApiKeyDto;
  @IsOptional() @ValidateNested() @Type(() => EndpointBasicAuthDto) basic_auth?: EndpointBasicAuthDto;
  @IsOptional() @ValidateNested() @Type(() => OAuth2Dto) oauth2?: OAuth2Dto;
}

/** A client certificate the gateway presents on TLS connections to the endpoint (mTLS). */
export class MtlsClientCertDto {
  /** the certificate (PEM; a chain may follow it) */
  @IsOptional() @IsString() @MaxLength(65_536) client_cert?: string;
  /** its private key (PEM); sealed at rest, never returned */
  @IsOptional() @IsString() @MaxLength(65_536) client_key?: string;
}

export class TestOAuth2Dto {
  @IsObject() @ValidateNested() @Type(() => OAuth2Dto) oauth2!: OAuth2Dto;
}

export class TestOAuth2ResponseDto {
  success!: boolean;
  access_token?: string;
  token_type?: string;
  /** RFC 3339 */
  expires_at?: string;
  error?: string;
  message?: string;
}

export class CreateEndpointDto {
  @IsString() @Length(1, 200) name!: string;
  /** where deliveries are POSTed: http(s), no userinfo, not a private or loopback address */
  @IsString() @Length(1, 2048) url!: string;
  /** signing secret; generated when absent (`whsec_…` for Standard Webhooks projects) */
  @IsOptional() @IsString() @Length(1, 512) secret?: string;
  @IsOptional() @IsString() @MaxLength(1000) description?: string;
  /** groups endpoints so one event can fan out to all of an owner's endpoints */
  @IsOptional() @IsString() @MaxLength(200) owner_id?: string;
  /** seconds a delivery may take (default 10) */
  @IsOptional() @IsInt() @Min(1) @Max(60) http_timeout?: number;
  /** deliveries per rate_limit_duration; 0 = the project's rate limit */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) rate_limit?: number;
  /** seconds; 0 = the project's rate limit window */
  @IsOptional() @IsInt() @Min(0) @Max(86_400) rate_limit_duration?: number;
  /** Caravan: deliveries in flight to this endpoint at once; null = no cap of its own */
  @IsOptional() @IsInt() @Min(1) @Max(10_000) max_concurrency?: number | null;
  /** Convoy's advanced signature header (`t=…,v1=…`); incoming projects always use it */
  @IsOptional() @IsBoolean() advanced_signatures?: boolean;
  @IsOptional() @IsIn(['application/json', 'application/x-www-form-urlencoded']) content_type?: string;
  @IsOptional() @ValidateIf((o: CreateEndpointDto) => o.support_email !== '') @IsEmail() @MaxLength(320) support_email?: string;
  @IsOptional() @IsString() @MaxLength(2048) slack_webhook_url?: string;
  /** true creates the endpoint inactive; false re-enables an inactive one */
  @IsOptional() @IsBoolean() is_disabled?: boolean;
  @IsOptional() @ValidateNested() @Type(() => EndpointAuthenticationDto) authentication?: EndpointAuthenticationDto | null;
  /** presented on TLS connections to the endpoint; both members empty (or null) removes it */
  @IsOptional() @ValidateNested() @Type(() => MtlsClientCertDto) mtls_client_cert?: MtlsClientCertDto | null;
  /** deprecated by Convoy and ignored; accepted so older SDKs keep working */
  @IsOptional() @IsString() @MaxLength(200) appID?: string;
}

/** Every field optional: what is absent stays as it is. A `secret` replaces the current one at once. */
export class UpdateEndpointDto extends PartialType(CreateEndpointDto) {}

export class ExpireSecretDto {
  /** seconds the current secret keeps signing (0 = expire now, at most 30 days) */
  @IsInt() @Min(0) @Max(MAX_SECRET_EXPIRATION_SECONDS) expiration!: number;
  /** the new secret; generated when absent */
  @IsOptional() @IsString() @Length(1, 512) secret?: string;
}

export class ListEndpointsQueryDto extends PaginationQueryDto {
  /** part of the endpoint name (case-insensitive) */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** only this owner's endpoints */
  @IsOptional() @IsString() @MaxLength(200) ownerId?: string;
  /** `ASC` or `DESC` (default) by creation */
  @IsOptional() @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value)) @IsIn(['ASC', 'DESC']) sort?:
    'ASC' | 'DESC';
}

export class EndpointSecretResponseDto {
  uid!: string;
  /** the secret in plaintext, as Convoy returns it */
  value!: string;
  created_at!: string;
  updated_at!: string;
  expires_at!: string | null;
  deleted_at!: string | null;
}

export class OAuth2ResponseDto {
  url!: string;
  client_id!: string;
  grant_type!: string;
  scope!: string;
  audience!: string;
  authentication_type!: string;
  /** `[REDACTED]` when set: the secret is never returned */
  client_secret!: string | null;
  /** the key's public members only */
  signing_key?: Record<string, string> | null;
  signing_algorithm?: string;
  issuer?: string;
  subject?: string;
  field_mapping!: { access_token?: string; token_type?: string; expires_in?: string } | null;
  expiry_time_unit!: string;
}

export class EndpointAuthenticationResponseDto {
  type!: string;
  api_key?: { header_name: string; header_value: string } | null;
  basic_auth?: { username: string; password: string } | null;
  oauth2?: OAuth2ResponseDto | null;
}

export class MtlsClientCertResponseDto {
  client_cert!: string;
  /** always `[REDACTED]`: the key is never returned */
  client_key!: string;
}

export class EndpointResponseDto {
  uid!: string;
  project_id!: string;
  name!: string;
  url!: string;
  description!: string;
  owner_id!: string;
  status!: string;
  secrets!: EndpointSecretResponseDto[];
  advanced_signatures!: boolean;
  http_timeout!: number;
  rate_limit!: number;
  rate_limit_duration!: number;
  max_concurrency!: number | null;
  content_type!: string;
  support_email!: string;
  slack_webhook_url!: string;
  authentication!: EndpointAuthenticationResponseDto | null;
  mtls_client_cert!: MtlsClientCertResponseDto | null;
  created_at!: string;
  updated_at!: string;
  deleted_at!: string | null;
  /** circuit breaker phase shared by the workers ("closed", "open", "half-open"); null before any attempt */
  cb_state!: 'closed' | 'open' | 'half-open' | null;
  /** percent of failed attempts in the breaker's observability window; null before any attempt */
  failure_rate!: number | null;
  /** Convoy's delivery counters of an endpoint; Caravan does not keep them (see failure_rate and period-failure-rates): always null */
  failure_count!: number | null;
  success_count!: number | null;
  retry_count!: number | null;
  period_failure_rate!: number | null;
}

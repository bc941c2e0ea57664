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

export class EndpointAuthenticationDto {
  /** `api_key` or `basic_auth`; empty removes authentication (`oauth2` is not supported) */
  @IsIn(['api_key', 'basic_auth', 'oauth2', '']) type!: 'api_key' | 'basic_auth' | 'oauth2' | '';
  @IsOptional() @ValidateNested() @Type(() => EndpointApiKeyDto) api_key?: EndpointApiKeyDto;
  @IsOptional() @ValidateNested() @Type(() => EndpointBasicAuthDto) basic_auth?: EndpointBasicAuthDto;
  /** accepted so Convoy clients get a clear refusal (`code`) rather than an unknown-field error */
  @IsOptional() @IsObject() oauth2?: Record<string, unknown>;
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

export class EndpointAuthenticationResponseDto {
  type!: string;
  api_key?: { header_name: string; header_value: string } | null;
  basic_auth?: { username: string; password: string } | null;
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

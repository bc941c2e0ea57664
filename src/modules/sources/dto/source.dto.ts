import { PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';
import { HEADER_NAME } from '../../../common/http/header-name';
import { PubSubConfigDto, PubSubConfigResponseDto } from './pub-sub.dto';

const SECRET = /^[^\r\n\0]{1,1024}$/;
const MAX_FUNCTION_LENGTH = 64 * 1024;
export const MAX_CUSTOM_RESPONSE_BYTES = 16 * 1024;

export const SOURCE_TYPES = ['http', 'pub_sub', 'rest_api', 'db_change_stream'] as const;
export const SOURCE_PROVIDERS = ['github', 'shopify', 'twitter', ''] as const;
export const HMAC_SCHEMES = ['simple', 'standard_webhooks', 'timestamped'] as const;

export class SourceHmacDto {
  /** the header that carries the signature (`simple` and `timestamped`; fixed for providers and Standard Webhooks) */
  @IsOptional() @IsString() @Matches(HEADER_NAME, { message: 'verifier.hmac.header must be an HTTP header name' }) header?: string;
  @IsOptional() @IsIn(['SHA256', 'SHA512']) hash?: 'SHA256' | 'SHA512';
  @IsOptional() @IsIn(['hex', 'base64']) encoding?: 'hex' | 'base64';
  @IsDefined({ message: 'verifier.hmac.secret is required' })
  @IsString()
  @Matches(SECRET, { message: 'verifier.hmac.secret must be 1-1024 characters without CR, LF or NUL' })
  secret!: string;
  /**
   * Caravan: `simple` (Convoy's: the HMAC of the body in `header`), `standard_webhooks`
   * (webhook-id / webhook-timestamp / webhook-signature, a `whsec_` secret) or
   * `timestamped` (Stripe's `t=…,v1=…` in `header`, the HMAC of `t.body`)
   */
  @IsOptional() @IsIn(HMAC_SCHEMES) scheme?: (typeof HMAC_SCHEMES)[number];
  /** Caravan: seconds a timestamped signature stays valid, either way (default 300) */
  @IsOptional() @IsInt() @Min(1) @Max(86_400) tolerance?: number;
}

export class SourceBasicAuthDto {
  @IsDefined({ message: 'verifier.basic_auth.username is required' })
  @IsString()
  @Matches(/^[^:\r\n\0]{1,256}$/, { message: 'verifier.basic_auth.username must be 1-256 characters without ":", CR, LF or NUL' })
  username!: string;
  @IsDefined({ message: 'verifier.basic_auth.password is required' })
  @IsString()
  @Matches(SECRET, { message: 'verifier.basic_auth.password must be 1-1024 characters without CR, LF or NUL' })
  password!: string;
}

export class SourceApiKeyDto {
  @IsDefined({ message: 'verifier.api_key.header_name is required' })
  @IsString()
  @Matches(HEADER_NAME, { message: 'verifier.api_key.header_name must be an HTTP header name' })
  header_name!: string;
  @IsDefined({ message: 'verifier.api_key.header_value is required' })
  @IsString()
  @Matches(SECRET, { message: 'verifier.api_key.header_value must be 1-1024 characters without CR, LF or NUL' })
  header_value!: string;
}

export class SourceVerifierDto {
  @IsDefined({ message: 'verifier.type is required' }) @IsIn(['noop', 'hmac', 'basic_auth', 'api_key']) type!: 'noop' | 'hmac' | 'basic_auth' | 'api_key';
  @IsOptional() @ValidateNested() @Type(() => SourceHmacDto) hmac?: SourceHmacDto | null;
  @IsOptional() @ValidateNested() @Type(() => SourceBasicAuthDto) basic_auth?: SourceBasicAuthDto | null;
  @IsOptional() @ValidateNested() @Type(() => SourceApiKeyDto) api_key?: SourceApiKeyDto | null;
}

export class CustomResponseDto {
  @IsOptional() @IsString() @MaxLength(MAX_CUSTOM_RESPONSE_BYTES) body?: string;
  @IsOptional()
  @IsString()
  @Matches(/^[^\r\n\0]{0,200}$/, { message: 'custom_response.content_type must be at most 200 characters without CR, LF or NUL' })
  content_type?: string;
}

export class CreateSourceDto {
  @IsDefined({ message: 'name is required' }) @IsString() @Length(1, 200) name!: string;
  /** `http` (incoming webhooks, incoming projects) or `pub_sub` (a message broker, outgoing projects) */
  @IsDefined({ message: 'type is required' }) @IsIn(SOURCE_TYPES) type!: (typeof SOURCE_TYPES)[number];
  /** a preset: `github`, `shopify` or `twitter` (the verifier's hmac.secret is then all that is needed) */
  @IsOptional() @IsIn(SOURCE_PROVIDERS) provider?: (typeof SOURCE_PROVIDERS)[number];
  @IsOptional() @IsBoolean() is_disabled?: boolean;
  /** how a request proves its sender; absent = `noop` (anyone with the URL) */
  @IsOptional() @ValidateNested() @Type(() => SourceVerifierDto) verifier?: SourceVerifierDto;
  /** the answer senders get instead of Convoy's default JSON */
  @IsOptional() @ValidateNested() @Type(() => CustomResponseDto) custom_response?: CustomResponseDto;
  /** parts of the request that identify an event, e.g. `request.header.X-Id`, `request.body.id`, `request.query.ref`; a repeat is not sent again */
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) @MaxLength(200, { each: true }) idempotency_keys?: string[];
  /** where the event type is read, e.g. `request.body.type` (headers and query only for unsigned verifiers); default the mask id */
  @IsOptional() @IsString() @MaxLength(200) event_type_location?: string;
  /** request headers stored with the event and sent with its deliveries */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(HEADER_NAME, { each: true, message: 'forward_headers must be HTTP header names' })
  forward_headers?: string[];
  /** stored as given */
  @IsOptional() @IsString() @MaxLength(MAX_FUNCTION_LENGTH) body_function?: string | null;
  /** stored as given */
  @IsOptional() @IsString() @MaxLength(MAX_FUNCTION_LENGTH) header_function?: string | null;
  /** the broker of a `pub_sub` source; checked by connecting to it. Given on update, it replaces the current one */
  @IsOptional() @ValidateNested() @Type(() => PubSubConfigDto) pub_sub?: PubSubConfigDto | null;
  /** Caravan: requests per rate_limit_duration accepted on /ingest (0 = SOURCE_RATE_LIMIT per second) */
  @IsOptional() @IsInt() @Min(0) @Max(10_000_000) rate_limit?: number;
  /** Caravan: seconds (0 = one second) */
  @IsOptional() @IsInt() @Min(0) @Max(3600) rate_limit_duration?: number;
}

/** Every field optional: what is absent stays as it is. A verifier given replaces the current one. */
export class UpdateSourceDto extends PartialType(CreateSourceDto) {}

export class ListSourcesQueryDto extends PaginationQueryDto {
  /** part of the source name (case-insensitive) */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  @IsOptional() @IsIn(SOURCE_TYPES) type?: string;
  @IsOptional() @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value)) @IsIn(SOURCE_PROVIDERS) provider?: string;
}

/** A verifier as served: its settings, never its secrets. */
export class SourceHmacResponseDto {
  header!: string;
  hash!: string;
  encoding!: string;
  /** Caravan: `simple`, `standard_webhooks` or `timestamped` */
  scheme!: string;
  /** Caravan: seconds, for the timestamped schemes */
  tolerance!: number | null;
}

export class SourceBasicAuthResponseDto {
  username!: string;
}

export class SourceApiKeyResponseDto {
  header_name!: string;
}

export class SourceVerifierResponseDto {
  type!: string;
  hmac!: SourceHmacResponseDto | null;
  basic_auth!: SourceBasicAuthResponseDto | null;
  api_key!: SourceApiKeyResponseDto | null;
}

export class CustomResponseResponseDto {
  body!: string;
  content_type!: string;
}

export class TwitterProviderConfigDto {
  crc_verified_at!: string | null;
}

export class ProviderConfigResponseDto {
  twitter?: TwitterProviderConfigDto;
}

export class SourceResponseDto {
  uid!: string;
  project_id!: string;
  mask_id!: string;
  name!: string;
  type!: string;
  provider!: string;
  is_disabled!: boolean;
  /** where senders POST: `<INGEST_BASE_URL>/ingest/<mask_id>` */
  url!: string;
  verifier!: SourceVerifierResponseDto;
  custom_response!: CustomResponseResponseDto;
  idempotency_keys!: string[];
  event_type_location!: string;
  forward_headers!: string[];
  body_function!: string | null;
  header_function!: string | null;
  /** Twitter sources: when the last CRC check was answered */
  provider_config!: ProviderConfigResponseDto | null;
  /** the broker of a `pub_sub` source, without its secrets */
  pub_sub!: PubSubConfigResponseDto | null;
  rate_limit!: number;
  rate_limit_duration!: number;
  created_at!: string;
  updated_at!: string;
  deleted_at!: string | null;
}

import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class RateLimitConfigurationDto {
  /** requests allowed per duration */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) count?: number;
  /** window in seconds */
  @IsOptional() @IsInt() @Min(0) @Max(86_400) duration?: number;
}

export class StrategyConfigurationDto {
  /** retry strategy */
  @IsOptional() @IsIn(['linear', 'exponential']) type?: 'linear' | 'exponential';
  /** seconds between retries (linear) or the base delay (exponential) */
  @IsOptional() @IsInt() @Min(1) @Max(86_400) duration?: number;
  /** how many times a failed delivery is retried */
  @IsOptional() @IsInt() @Min(0) @Max(50) retry_count?: number;
}

export class SignatureVersionDto {
  @IsOptional() @IsString() @MaxLength(64) uid?: string;
  @IsIn(['SHA256', 'SHA512']) hash!: 'SHA256' | 'SHA512';
  @IsIn(['hex', 'base64']) encoding!: 'hex' | 'base64';
}

export class SignatureConfigurationDto {
  /** header carrying the signature (Convoy scheme); not one the HTTP client or the gateway owns */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9-]{1,64}$/) header?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => SignatureVersionDto) versions?: SignatureVersionDto[];
}

export class SSLConfigurationDto {
  /** only https endpoint URLs are accepted when true */
  @IsOptional() @IsBoolean() enforce_secure_endpoints?: boolean;
}

export class MetaEventConfigurationDto {
  @IsOptional() @IsBoolean() is_enabled?: boolean;
  @IsOptional() @IsIn(['http']) type?: 'http';
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) url?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) event_type?: string[];
  @IsOptional() @IsString() @MaxLength(256) secret?: string;
}

export class CircuitBreakerConfigurationDto {
  @IsOptional() @IsInt() @Min(1) @Max(3600) sample_rate?: number;
  @IsOptional() @IsInt() @Min(1) @Max(86_400) error_timeout?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) failure_threshold?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) success_threshold?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1440) observability_window?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) minimum_request_count?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) consecutive_failure_threshold?: number;
}

export class ProjectConfigDto {
  /** largest accepted event payload in bytes */
  @IsOptional() @IsInt() @Min(1024) @Max(64 * 1024 * 1024) max_payload_read_size?: number;
  @IsOptional() @IsBoolean() replay_attacks_prevention_enabled?: boolean;
  @IsOptional() @IsBoolean() add_event_id_trace_headers?: boolean;
  /** Caravan: with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), deliveries carry a W3C `traceparent` header continuing the gateway's trace */
  @IsOptional() @IsBoolean() add_traceparent_header?: boolean;
  @IsOptional() @IsBoolean() disable_endpoint?: boolean;
  @IsOptional() @IsBoolean() multiple_endpoint_subscriptions?: boolean;
  @IsOptional() @IsString() @Matches(/^\d{1,6}h$/) search_policy?: string;
  /** Caravan: how long this project's events, deliveries and meta events are kept, a Go duration (`720h`, `36h30m`); `0` keeps them for ever; unset = the instance's RETENTION_POLICY */
  @IsOptional() @IsString() @Matches(/^(0|off|(\d{1,7}(h|m|s))+)$/) retention_policy?: string;
  /** `convoy` (X-Convoy-Signature) or `standard` (Standard Webhooks) */
  @IsOptional() @IsIn(['convoy', 'standard']) signature_scheme?: 'convoy' | 'standard';
  @IsOptional() @ValidateNested() @Type(() => RateLimitConfigurationDto) ratelimit?: RateLimitConfigurationDto;
  @IsOptional() @ValidateNested() @Type(() => StrategyConfigurationDto) strategy?: StrategyConfigurationDto;
  @IsOptional() @ValidateNested() @Type(() => SignatureConfigurationDto) signature?: SignatureConfigurationDto;
  @IsOptional() @ValidateNested() @Type(() => SSLConfigurationDto) ssl?: SSLConfigurationDto;
  @IsOptional() @ValidateNested() @Type(() => MetaEventConfigurationDto) meta_event?: MetaEventConfigurationDto;
  @IsOptional() @ValidateNested() @Type(() => CircuitBreakerConfigurationDto) circuit_breaker?: CircuitBreakerConfigurationDto;
}

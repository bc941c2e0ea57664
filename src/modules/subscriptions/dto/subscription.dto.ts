import { PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
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
  ValidateNested,
} from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';
import { SourceResponseDto } from '../../sources';
import { EndpointResponseDto } from '../../endpoints';

export class FilterSchemaDto {
  /** header filter: header name → expected value or operator object */
  @IsOptional() @IsObject() headers?: Record<string, unknown>;
  /** body filter: JSON path → expected value or operator object (`$eq`, `$in`, `$gte`, …) */
  @IsOptional() @IsObject() body?: Record<string, unknown>;
  /** Convoy's flag for its own storage; ignored, accepted so fetched configs can be sent back */
  @IsOptional() @IsBoolean() is_flattened?: boolean;
  /** path filter (incoming webhooks): `{"path": …}` matches the request's URL path */
  @IsOptional() @IsObject() path?: Record<string, unknown>;
  /** query filter (incoming webhooks): parameter name → expected value or operator object */
  @IsOptional() @IsObject() query?: Record<string, unknown>;
}

export class FilterConfigDto {
  /** event types to deliver; `*` (the default) matches every type */
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) @Length(1, 200, { each: true }) event_types?: string[];
  @IsOptional() @ValidateNested() @Type(() => FilterSchemaDto) filter?: FilterSchemaDto;
}

export class RateLimitConfigDto {
  /** deliveries per duration */
  @IsInt() @Min(0) @Max(1_000_000) count!: number;
  /** seconds */
  @IsInt() @Min(0) @Max(86_400) duration!: number;
}

export class AlertConfigDto {
  @IsInt() @Min(0) @Max(1_000_000) count!: number;
  /** a duration such as `30m` or `1h` */
  @IsString() @Matches(/^\d{1,6}(s|m|h)$/, { message: 'threshold must be a duration such as 30m or 1h' }) threshold!: string;
}

export class CreateSubscriptionDto {
  @IsString() @Length(1, 200) name!: string;
  /** the endpoint that receives the matched events; it must belong to the project */
  @IsString() @Length(1, 64) endpoint_id!: string;
  /** incoming projects: the source whose events this subscription forwards */
  @IsOptional() @IsString() @Length(1, 64) source_id?: string;
  @IsOptional() @ValidateNested() @Type(() => FilterConfigDto) filter_config?: FilterConfigDto;
  /** `at_least_once` (default, retried) or `at_most_once` (one attempt) */
  @IsOptional() @IsIn(['at_least_once', 'at_most_once']) delivery_mode?: 'at_least_once' | 'at_most_once';
  @IsOptional() @ValidateNested() @Type(() => RateLimitConfigDto) rate_limit_config?: RateLimitConfigDto | null;
  @IsOptional() @ValidateNested() @Type(() => AlertConfigDto) alert_config?: AlertConfigDto | null;
  /**
   * JavaScript defining `function transform(payload) { …; return payload }`, applied to each
   * payload before it is signed and sent; it must run in the sandbox when saved. On update an
   * empty string leaves it as it is (as Convoy does) and null removes it.
   */
  @IsOptional() @IsString() function?: string | null;
  /** deprecated by Convoy and ignored; accepted so older SDKs keep working */
  @IsOptional() @IsString() @MaxLength(200) app_id?: string;
}

export class UpdateSubscriptionDto extends PartialType(CreateSubscriptionDto) {
  /** not supported per subscription (the project's retry strategy applies); only null is accepted */
  @IsOptional() @IsObject() retry_config?: Record<string, unknown> | null;
}

export class ListSubscriptionsQueryDto extends PaginationQueryDto {
  /** only subscriptions of these endpoints (repeat the parameter for several) */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? (value as unknown[]) : [value]))
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  endpointId?: string[];
  /** part of the subscription name (case-insensitive) */
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  /** `ASC` or `DESC` (default) by creation */
  @IsOptional() @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value)) @IsIn(['ASC', 'DESC']) sort?:
    'ASC' | 'DESC';
}

export class TestFilterScopesDto {
  /** the sample payload, or (in `schema`) the body filter */
  @IsOptional() body?: unknown;
  /** headers, or (in `schema`) the header filter; `header` is accepted too */
  @IsOptional() @IsObject() headers?: Record<string, unknown>;
  @IsOptional() @IsObject() header?: Record<string, unknown>;
  @IsOptional() @IsObject() path?: Record<string, unknown>;
  @IsOptional() @IsObject() query?: Record<string, unknown>;
}

/** Convoy's `models.TestFilter`: does `request` match the filter in `schema`? */
export class TestFilterDto {
  /** the sample request: its `body`, `header(s)`, `query` and `path` (`{"path": "/…"}`) */
  @IsDefined() @IsObject() @ValidateNested() @Type(() => TestFilterScopesDto) request!: TestFilterScopesDto;
  /** the filters to try: `body`, `header(s)`, `query` and `path` */
  @IsDefined() @IsObject() @ValidateNested() @Type(() => TestFilterScopesDto) schema!: TestFilterScopesDto;
}

export class FilterSchemaResponseDto {
  headers!: Record<string, unknown>;
  body!: Record<string, unknown>;
  query!: Record<string, unknown>;
  path!: Record<string, unknown>;
  is_flattened!: boolean;
}

export class FilterConfigResponseDto {
  event_types!: string[];
  filter!: FilterSchemaResponseDto;
}

export class SubscriptionResponseDto {
  uid!: string;
  name!: string;
  type!: string;
  project_id!: string;
  /** Caravan: the endpoint's id (Convoy only nests it in endpoint_metadata) */
  endpoint_id!: string;
  source_id!: string | null;
  delivery_mode!: string;
  filter_config!: FilterConfigResponseDto;
  rate_limit_config!: RateLimitConfigDto | null;
  alert_config!: AlertConfigDto | null;
  endpoint_metadata!: EndpointResponseDto | null;
  /** the subscription's source (incoming projects) */
  source_metadata!: SourceResponseDto | null;
  /** the transform function, or null */
  function!: string | null;
  created_at!: string;
  updated_at!: string;
  deleted_at!: string | null;
}

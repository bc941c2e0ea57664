import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsObject, IsOptional, IsString, Length, ValidateIf, ValidateNested } from 'class-validator';
import { IsRfc3339 } from '../../../common/http/rfc3339';
import { MAX_EVENT_TYPE_LENGTH } from './filter-rows';

const enabledAtDoc = {
  required: false,
  nullable: true,
  type: String,
  format: 'date-time',
  description: 'when the filter was switched on; null switches it off (routing then falls back to the `*` filter, or delivers nothing)',
};

class FilterScopesDto {
  /** header filter: header name → expected value or operator object (names match in lower case) */
  @IsOptional() @IsObject() headers?: Record<string, unknown>;
  /** body filter: JSON path → expected value or operator object (`$eq`, `$in`, `$gte`, …) */
  @IsOptional() @IsObject() body?: Record<string, unknown>;
  /** query filter (incoming webhooks): parameter name → expected value or operator object */
  @IsOptional() @IsObject() query?: Record<string, unknown>;
  /** path filter (incoming webhooks): `{"path": …}` matches the request's URL path */
  @IsOptional() @IsObject() path?: Record<string, unknown>;
}

/** Convoy's `models.CreateFilterRequest`. */
export class CreateFilterDto extends FilterScopesDto {
  /** the event type the filter applies to; `*` applies to every type without a filter of its own */
  @IsDefined({ message: 'event_type is required' })
  @IsString()
  @Length(1, MAX_EVENT_TYPE_LENGTH)
  event_type!: string;
  @ApiProperty(enabledAtDoc)
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsRfc3339()
  enabled_at?: string | null;
}

/** Convoy's clients send an unchanged event type as `""`, which means "keep it". */
const emptyIsAbsent = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

/** Convoy's `models.UpdateFilterRequest`: what is absent (or null) stays as it is. */
export class UpdateFilterDto extends FilterScopesDto {
  /** a new event type for the filter; absent or `""` keeps it */
  @Transform(emptyIsAbsent) @IsOptional() @IsString() @Length(1, MAX_EVENT_TYPE_LENGTH) event_type?: string;
  @ApiProperty(enabledAtDoc)
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsRfc3339()
  enabled_at?: string | null;
  /** Convoy's storage flag; accepted and ignored (keys may be dotted or nested either way) */
  @IsOptional() @IsBoolean() is_flattened?: boolean;
}

/** Convoy's `models.BulkUpdateFilterRequest`: one filter of the subscription, by id. */
export class BulkUpdateFilterDto extends FilterScopesDto {
  @IsDefined({ message: 'uid is required' }) @IsString() @Length(1, 64) uid!: string;
  /** a new event type for the filter; absent or `""` keeps it */
  @Transform(emptyIsAbsent) @IsOptional() @IsString() @Length(1, MAX_EVENT_TYPE_LENGTH) event_type?: string;
  @ApiProperty(enabledAtDoc)
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsRfc3339()
  enabled_at?: string | null;
}

export class TestFilterScopesDto {
  /** the sample payload */
  @IsOptional() body?: unknown;
  /** the sample request headers (`header` is accepted too) */
  @IsOptional() @IsObject() headers?: Record<string, unknown>;
  @IsOptional() @IsObject() header?: Record<string, unknown>;
  /** the sample query parameters */
  @IsOptional() @IsObject() query?: Record<string, unknown>;
  /** the sample path scope: `{"path": "/…"}` */
  @IsOptional() @IsObject() path?: Record<string, unknown>;
}

/** Convoy's `models.TestFilterRequest`: a sample request, tried against the subscription's filter for an event type. */
export class TestSubscriptionFilterDto {
  /** the sample payload, when `request.body` is absent */
  @IsOptional() payload?: unknown;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TestFilterScopesDto) request?: TestFilterScopesDto;
}

/** Convoy's `models.FilterResponse`: the filters with nested keys joined by dots, and `raw_*` as sent. */
export class FilterResponseDto {
  uid!: string;
  subscription_id!: string;
  event_type!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) enabled_at!: string | null;
  headers!: Record<string, unknown>;
  body!: Record<string, unknown>;
  query!: Record<string, unknown>;
  path!: Record<string, unknown>;
  raw_headers!: Record<string, unknown>;
  raw_body!: Record<string, unknown>;
  raw_query!: Record<string, unknown>;
  raw_path!: Record<string, unknown>;
}

export class TestFilterResponseDto {
  /** whether the sample request passes the filter routing would use for the event type */
  is_match!: boolean;
}

import { ApiProperty } from '@nestjs/swagger';
import { IsArray, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ArrayMaxSize } from 'class-validator';

import { SourceResponseDto } from '../../sources';
import { EVENT_TYPE_PATTERN } from '../ingest/payload-guards';

export class BaseEventDto {
  /** the event type subscriptions match on, e.g. `invoice.paid` */
  @IsString() @Matches(EVENT_TYPE_PATTERN, { message: 'event_type must be 1-200 characters of letters, digits and _ . : - /' }) event_type!: string;
  /** the JSON payload delivered to endpoints */
  @IsObject() data!: Record<string, unknown>;
  /** extra headers sent with every delivery of this event */
  @IsOptional() @IsObject() custom_headers?: Record<string, string>;
  /** a repeat with the same key returns the original event and creates nothing */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(255) idempotency_key?: string;
}

export class CreateEventDto extends BaseEventDto {
  /** the endpoint to deliver to */
  @IsString() @IsNotEmpty() @MaxLength(64) endpoint_id!: string;
  /** accepted for Convoy compatibility; unused */
  @IsOptional() @IsString() @MaxLength(64) app_id?: string;
}

export class FanoutEventDto extends BaseEventDto {
  /** every endpoint with this owner id receives the event */
  @IsString() @IsNotEmpty() @MaxLength(255) owner_id!: string;
}

export class BroadcastEventDto extends BaseEventDto {
  /** accepted for Convoy compatibility */
  @IsOptional() @IsString() acknowledged_at?: string;
}

export class DynamicEventDto extends BaseEventDto {
  /** the endpoint URL; the endpoint and a subscription are found or created */
  @IsString() @IsNotEmpty() @MaxLength(2048) url!: string;
  /** the secret for a newly created endpoint */
  @IsOptional() @IsString() @MaxLength(256) secret?: string;
  /** event types of a newly created subscription (default: all) */
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) event_types?: string[];
}

export class EventResponseDto {
  uid!: string;
  project_id!: string;
  event_type!: string;
  endpoints!: string[];
  source_id!: string;
  idempotency_key!: string;
  is_duplicate_event!: boolean;
  /** custom headers sent with every delivery, as Convoy shows them: a list of values per name */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  headers!: Record<string, string[]>;
  data!: Record<string, unknown>;
  raw!: string;
  url_query_params!: string;
  /** Convoy's incoming-request path; empty for events sent through the API */
  url_path!: string;
  /** the event's source, for incoming events (null otherwise, and in ingest answers) */
  @ApiProperty({ type: () => SourceResponseDto, nullable: true })
  source_metadata!: SourceResponseDto | null;
  /** the endpoints the event went to, without their secrets (empty in ingest answers) */
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  endpoint_metadata!: Record<string, unknown>[];
  status!: string;
  failure_reason!: string;
  acknowledged_at!: string;
  created_at!: string;
  updated_at!: string;
  deleted_at?: string | null;
}

export class CountResponseDto {
  /** events matching the filters, capped at 10,001 */
  num!: number;
}

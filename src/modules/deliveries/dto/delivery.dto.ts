import { ApiProperty } from '@nestjs/swagger';
import { IsRfc3339 } from '../../../common/http/rfc3339';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';

const toArray = ({ value }: { value: unknown }): unknown => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
const STATUSES = ['Scheduled', 'Processing', 'Success', 'Failure', 'Retry', 'Discarded'];

/** Convoy's event-delivery filters. */
export class DeliveriesQueryDto extends PaginationQueryDto {
  @IsOptional() @Transform(toArray) @IsArray() @IsString({ each: true }) endpointId?: string[];
  @IsOptional() @IsString() @MaxLength(64) eventId?: string;
  @IsOptional() @IsString() @MaxLength(64) subscriptionId?: string;
  @IsOptional() @Transform(toArray) @IsArray() @IsIn(STATUSES, { each: true }) status?: string[];
  @IsOptional() @IsString() @MaxLength(200) event_type?: string;
  @IsOptional() @IsString() @MaxLength(255) idempotencyKey?: string;
  /** RFC 3339 */
  @IsOptional() @IsRfc3339() startDate?: string;
  /** RFC 3339 */
  @IsOptional() @IsRfc3339() endDate?: string;
  /** accepted for Convoy compatibility; results are newest first */
  @IsOptional() @IsString() sort?: string;
}

export class IdsDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @IsString({ each: true }) ids!: string[];
}

export class DeliveryMetadataDto {
  num_trials!: number;
  retry_limit!: number;
  strategy!: string;
  interval_seconds!: number;
  next_send_time!: string | null;
  /** where the exponential strategy's delays stop growing */
  max_retry_seconds!: number;
}

export class DeliveryResponseDto {
  uid!: string;
  project_id!: string;
  event_id!: string;
  endpoint_id!: string;
  subscription_id!: string;
  event_type!: string;
  status!: string;
  delivery_mode!: string;
  /** the event's custom headers, as Convoy shows them: a list of values per name */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } })
  headers!: Record<string, string[]>;
  metadata!: DeliveryMetadataDto;
  description!: string;
  latency_seconds!: number | null;
  /** Convoy's duration text, e.g. `12ms`; empty until the delivery succeeds */
  latency!: string;
  /** the endpoint's URL now */
  target_url!: string;
  idempotency_key!: string;
  url_query_params!: string;
  /** the endpoint, without its secrets or credentials; null once it is deleted */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  endpoint_metadata!: Record<string, unknown> | null;
  /** the event, without its payload (read the event for that) */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  event_metadata!: Record<string, unknown> | null;
  /** Convoy's CLI forwarding, which Caravan does not have: always null */
  cli_metadata!: Record<string, unknown> | null;
  /** as cli_metadata: always empty */
  device_id!: string;
  /** as cli_metadata: always null */
  device_metadata!: Record<string, unknown> | null;
  acknowledged_at!: string;
  created_at!: string;
  updated_at!: string;
  deleted_at?: string | null;
}

export class AttemptResponseDto {
  uid!: string;
  msg_id!: string;
  project_id!: string;
  endpoint_id!: string;
  url!: string;
  method!: string;
  api_version!: string;
  ip_address!: string;
  request_http_header!: Record<string, string>;
  response_http_header!: Record<string, string>;
  http_status!: string;
  response_data!: string;
  error!: string;
  /** Caravan: stable class of the failure, e.g. `timeout`, `http_5xx`, `egress_denied:private` */
  error_class!: string;
  status!: boolean;
  duration_ms!: number;
  requested_at!: string;
  responded_at!: string | null;
  created_at!: string;
}

export class BatchRetryResponseDto {
  resent!: number;
}

export class ForceResendResponseDto {
  resent!: number;
  /** ids that were not Success deliveries of this project */
  skipped!: number;
}

import { IsRfc3339 } from '../../../common/http/rfc3339';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';

export class MetaEventsQueryDto extends PaginationQueryDto {
  /** only meta events created at or after this time */
  @IsOptional() @IsRfc3339() startDate?: string;
  /** only meta events created at or before this time */
  @IsOptional() @IsRfc3339() endDate?: string;
  /** `ASC` or `DESC` (default); pages always run newest first, as for other lists */
  @IsOptional() @IsIn(['ASC', 'DESC']) sort?: 'ASC' | 'DESC';
}

export class MetaEventAttemptDto {
  request_http_header!: Record<string, string>;
  response_http_header!: Record<string, string>;
  response_data!: string;
}

export class MetaEventMetadataDto {
  /** the payload as sent: `{event_type, data}` */
  data!: Record<string, unknown>;
  raw!: string;
  strategy!: string;
  next_send_time!: string | null;
  num_trials!: number;
  retry_limit!: number;
  interval_seconds!: number;
  max_retry_seconds!: number;
}

export class MetaEventResponseDto {
  uid!: string;
  project_id!: string;
  event_type!: string;
  metadata!: MetaEventMetadataDto;
  attempt!: MetaEventAttemptDto | null;
  status!: string;
  created_at!: string;
  updated_at!: string;
  deleted_at!: string | null;
}

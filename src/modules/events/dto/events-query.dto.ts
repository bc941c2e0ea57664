import { IsRfc3339 } from '../../../common/http/rfc3339';
import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';

export const toArray = ({ value }: { value: unknown }): unknown => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** Convoy's event search filters. */
export class EventsQueryDto extends PaginationQueryDto {
  @IsOptional() @Transform(toArray) @IsArray() @IsString({ each: true }) endpointId?: string[];
  @IsOptional() @Transform(toArray) @IsArray() @IsString({ each: true }) sourceId?: string[];
  @IsOptional() @IsString() @MaxLength(255) idempotencyKey?: string;
  /** the broker's id of the message an event came from (pub/sub sources; `x-broker-message-id`) */
  @IsOptional() @IsString() @MaxLength(255) brokerMessageId?: string;
  @IsOptional() @IsString() @MaxLength(200) event_type?: string;
  /** RFC 3339 */
  @IsOptional() @IsRfc3339() startDate?: string;
  /** RFC 3339 */
  @IsOptional() @IsRfc3339() endDate?: string;
  /** accepted for Convoy compatibility; ignored (results are newest first) */
  @IsOptional() @IsString() sort?: string;
  /** accepted for Convoy compatibility; full-text search is not supported */
  @IsOptional() @IsString() query?: string;
}

import { IsRfc3339 } from '../../../common/http/rfc3339';
import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';
import { MAX_SEARCH_CHARS } from '../event-search';

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
  /** matches an event id prefix, the idempotency key, the event type or the source's name; a JSON object is matched by containment against the payload, as `body` */
  @IsOptional() @IsString() @MaxLength(MAX_SEARCH_CHARS) query?: string;
  /** a URL-encoded JSON object the payload must contain (`{"customer":{"id":"c_1"}}` finds every payload with that customer id); with `query`, both must match */
  @IsOptional() @IsString() @MaxLength(MAX_SEARCH_CHARS) body?: string;
}

import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString } from 'class-validator';
import { IsRfc3339 } from '../../../common/http/rfc3339';
import { toArray } from '../../events/dto/events-query.dto';

export class PeriodFailureRatesQueryDto {
  /** only these endpoints (repeat the parameter); all of the project's when absent */
  @IsOptional() @Transform(toArray) @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) endpointId?: string[];
  /** RFC 3339; default 24 hours before endDate */
  @IsOptional() @IsRfc3339() startDate?: string;
  /** RFC 3339; default now; the period is at most 31 days */
  @IsOptional() @IsRfc3339() endDate?: string;
}

export class EndpointPeriodFailureRateDto {
  /** the endpoint */
  uid!: string;
  success_count!: number;
  /** deliveries that ended Failure or Discarded */
  failure_count!: number;
  /** attempts after the first, over the period's deliveries */
  retry_count!: number;
  /** failure_count ÷ (success_count + failure_count); 0 when none finished */
  period_failure_rate!: number;
}

import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

export const MAX_ONBOARD_ITEMS = 1000;

/** One customer to onboard: an endpoint and a subscription to one event type. */
export class OnboardItemDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(2048) url?: string;
  /** the event type the subscription takes (`*` for every type) */
  @IsOptional() @IsString() @MaxLength(200) event_type?: string;
  /** basic-auth credentials the endpoint's deliveries carry (both or neither) */
  @IsOptional() @IsString() @MaxLength(256) auth_username?: string;
  @IsOptional() @IsString() @MaxLength(256) auth_password?: string;
}

export class BulkOnboardDto {
  @IsArray() @ArrayMaxSize(MAX_ONBOARD_ITEMS) @ValidateNested({ each: true }) @Type(() => OnboardItemDto) items!: OnboardItemDto[];
}

export class OnboardQueryDto {
  /** validate only: nothing is created */
  @IsOptional() @Transform(({ value }: { value: unknown }) => value === true || value === 'true' || value === '1') @IsBoolean() dry_run?: boolean;
}

export class OnboardValidationErrorDto {
  /** the item's index, from 0 */
  row!: number;
  field!: string;
  message!: string;
}

export class BulkOnboardDryRunResponseDto {
  total_rows!: number;
  valid_count!: number;
  errors!: OnboardValidationErrorDto[];
}

export class BulkOnboardAcceptedResponseDto {
  batch_count!: number;
  message!: string;
  total_items!: number;
}

import { OmitType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DeliveriesQueryDto } from '../../deliveries';
import { ListEndpointsQueryDto } from '../../endpoints';
import { EventsQueryDto } from '../../events';
import { ListSubscriptionsQueryDto } from '../../subscriptions';

// The portal API takes its token as `?token=` too, so each of its queries admits it.

/** No `ownerId`: the link's owner is the only one. */
export class PortalEndpointsQueryDto extends OmitType(ListEndpointsQueryDto, ['ownerId'] as const) {
  /** the portal link token, when not sent as `Authorization: Bearer` */
  @IsOptional() @IsString() @MaxLength(512) token?: string;
}

export class PortalEventsQueryDto extends EventsQueryDto {
  /** the portal link token, when not sent as `Authorization: Bearer` */
  @IsOptional() @IsString() @MaxLength(512) token?: string;
}

export class PortalDeliveriesQueryDto extends DeliveriesQueryDto {
  /** the portal link token, when not sent as `Authorization: Bearer` */
  @IsOptional() @IsString() @MaxLength(512) token?: string;
}

export class PortalSubscriptionsQueryDto extends ListSubscriptionsQueryDto {
  /** the portal link token, when not sent as `Authorization: Bearer` */
  @IsOptional() @IsString() @MaxLength(512) token?: string;
}

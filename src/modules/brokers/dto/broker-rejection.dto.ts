import { PaginationQueryDto } from '../../../common/http/pagination.dto';

export class ListBrokerRejectionsQueryDto extends PaginationQueryDto {}

/** Caravan: a broker message that could never become an event, and why. */
export class BrokerRejectionResponseDto {
  uid!: string;
  project_id!: string;
  source_id!: string;
  /** the broker's id of the message, when it had one */
  broker_message_id!: string | null;
  reason!: string;
  /** the message's headers or attributes */
  headers!: Record<string, string>;
  /** the message body as text (the first 64 KiB) */
  body!: string;
  /** also handed to the queue's dead-letter exchange */
  dead_lettered!: boolean;
  created_at!: string;
}

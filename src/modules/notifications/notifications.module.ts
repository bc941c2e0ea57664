import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints';
import { NotificationOutbox } from './notification-outbox';
import { NotificationsRepository } from './notifications.repository';

/**
 * The notifications outbox: imported by every role that can change an endpoint's status
 * (api and worker), so each such change writes its notifications in its own transaction.
 */
@Module({
  imports: [EndpointsModule],
  providers: [NotificationsRepository, NotificationOutbox],
  exports: [NotificationsRepository, NotificationOutbox],
})
export class NotificationsModule {}

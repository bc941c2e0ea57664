import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints';
import { WebhookHttpModule } from '../webhook-http';
import { Mailer } from './mailer';
import { NotificationMetrics } from './notification-metrics';
import { NotificationSender } from './notification.sender';
import { NotificationsModule } from './notifications.module';
import { SubscriptionAlerts } from './subscription-alerts';

/** Worker duty `notifications`: sends the outbox (email, Slack) and fires subscription alerts. */
@Module({
  imports: [NotificationsModule, EndpointsModule, WebhookHttpModule],
  providers: [Mailer, NotificationMetrics, NotificationSender, SubscriptionAlerts],
})
export class NotificationsWorkerModule {}

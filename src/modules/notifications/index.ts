export { NotificationsModule } from './notifications.module';
export { NotificationsWorkerModule } from './notifications.worker.module';
export { NotificationSender } from './notification.sender';
export { SubscriptionAlerts } from './subscription-alerts';
export { renderNotification, slackBody } from './notification-templates';

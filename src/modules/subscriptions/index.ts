export { SubscriptionsModule } from './subscriptions.module';
export { SubscriptionsService } from './subscriptions.service';
export { SubscriptionsController } from './subscriptions.controller';
export { OnboardController } from './onboard/onboard.controller';
export { SubscriptionPresenter } from './subscription.presenter';
export { SubscriptionEntity } from './subscription.entity';
export type { AlertConfig, DeliveryMode, FilterConfig, RateLimitConfig, RoutingSubscription } from './subscription.entity';
export { matchingSubscriptions, eventTypeMatches } from './routing';
export type { RoutableEvent } from './routing';

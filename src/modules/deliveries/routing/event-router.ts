import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { newId } from '../../../common/ids';
import { EventsService } from '../../events';
import { ProjectsService } from '../../projects';
import { matchingSubscriptions, SubscriptionsService } from '../../subscriptions';
import { DeliveryStateRepository, NewDelivery } from '../delivery-state.repository';
import { DeliveryProducer } from '../delivery.producer';
import { attemptsAllowed } from '../../../common/retry-policy';

/**
 * Routes events that ingest did not route: replays (a new routing pass) and any event
 * left with the `routed_at IS NULL` marker. Writes one delivery per matching subscription
 * together with the marker in one statement. Idempotent: a second run of the same pass
 * inserts nothing.
 */
@Injectable()
export class EventRouter {
  private readonly logger = new Logger(EventRouter.name);

  constructor(
    private readonly events: EventsService,
    private readonly projects: ProjectsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly state: DeliveryStateRepository,
    private readonly producer: DeliveryProducer,
  ) {}

  async route(eventId: string): Promise<number> {
    const ev = await this.events.findById(eventId);
    if (!ev || ev.routedAt) return 0;
    let rows: NewDelivery[] = [];
    try {
      const project = await this.projects.getCached(ev.projectId);
      const subs = await this.subscriptions.forRouting(ev.projectId);
      const retryLimit = attemptsAllowed(project.config.strategy.retry_count);
      const matched = matchingSubscriptions(subs, {
        eventType: ev.eventType,
        endpoints: ev.target.kind === 'broadcast' ? undefined : ev.endpoints,
        body: JSON.parse(ev.raw) as unknown,
        headers: ev.headers,
      });
      rows = matched.map((s) => ({
        id: newId(),
        projectId: ev.projectId,
        eventId: ev.id,
        endpointId: s.endpointId,
        subscriptionId: s.id,
        routeSeq: ev.routeSeq,
        eventType: ev.eventType,
        deliveryMode: s.deliveryMode,
        headers: ev.headers,
        retryLimit: s.deliveryMode === 'at_most_once' ? 1 : retryLimit,
      }));
    } catch (e) {
      // a deleted project routes to nothing; anything else is retried by the sweeper
      if (!(e instanceof DomainError && e.kind === 'not_found')) throw e;
    }
    const created = await this.state.route(ev.id, ev.routeSeq, rows);
    await this.producer.enqueue(created.map((c) => ({ id: c.id, generation: 0, endpoint_id: c.endpoint_id, attempts: 0 })));
    if (rows.length === 0) this.logger.debug({ eventId }, 'event matched no subscription');
    return created.length;
  }
}

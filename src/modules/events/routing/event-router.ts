import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { DeliveryQueue } from '../../delivery-queue';
import { ProjectsService } from '../../projects';
import { SubscriptionsService } from '../../subscriptions';
import { EventWriter } from '../event-writer';
import { EventsRepository } from '../events.repository';
import { NewDelivery, parseQueryText, planDeliveries, routableEvent } from './delivery-plan';

/**
 * Routes events that ingest did not route: replays (a new routing pass) and any event
 * left with the `routed_at IS NULL` marker. The same plan as ingest, written by the same
 * writer: the deliveries and the routed marker in one statement. Idempotent: a second run
 * of the same pass inserts nothing.
 */
@Injectable()
export class EventRouter {
  private readonly logger = new Logger(EventRouter.name);

  constructor(
    private readonly events: EventsRepository,
    private readonly projects: ProjectsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly writer: EventWriter,
    private readonly deliveryQueue: DeliveryQueue,
  ) {}

  async route(eventId: string): Promise<number> {
    const ev = await this.events.findById(eventId);
    if (!ev || ev.routedAt) return 0;
    let deliveries: NewDelivery[] = [];
    try {
      const project = await this.projects.getCached(ev.projectId);
      const subs = await this.subscriptions.forRouting(ev.projectId);
      // the stored request scopes, so a replay's query and path filters see what the first routing saw
      const routable = routableEvent(ev, JSON.parse(ev.raw), { query: parseQueryText(ev.urlQueryParams), path: ev.urlPath || undefined });
      deliveries = planDeliveries(subs, routable, project.config.strategy.retry_count);
    } catch (e) {
      // a deleted project routes to nothing; anything else is retried by the sweeper
      if (!(e instanceof DomainError && e.kind === 'not_found')) throw e;
    }
    const created = await this.writer.route({ eventId: ev.id, routeSeq: ev.routeSeq, deliveries });
    await this.deliveryQueue.enqueue(created.map((c) => ({ id: c.id, generation: 0, endpoint_id: c.endpoint_id, project_id: ev.projectId, attempts: 0 })));
    if (deliveries.length === 0) this.logger.debug({ eventId }, 'event matched no subscription');
    return created.length;
  }
}

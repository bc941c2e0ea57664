import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../../common/errors/domain-error';
import { newId } from '../../../common/ids';
import { EventsService } from '../../events';
import { ProjectsService } from '../../projects';
import { SubscriptionsService } from '../../subscriptions';
import { matchFilter } from '../../subscriptions/filter/filter-engine';
import { DeliveryStateRepository, NewDelivery } from '../delivery-state.repository';
import { DeliveryProducer } from '../delivery.producer';
import { attemptsAllowed } from '../retry-policy';

export function eventTypeMatches(patterns: readonly string[] | undefined, eventType: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => p === '*' || p === eventType);
}

/**
 * Turns a committed event into delivery rows: one per matching subscription, written
 * together with the event's `routed_at` marker in one statement. Idempotent: a second run
 * of the same routing pass inserts nothing.
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
      const targets = ev.endpoints.length > 0 ? new Set(ev.endpoints) : undefined;
      const body: unknown = JSON.parse(ev.raw);
      const retryLimit = attemptsAllowed(project.config.strategy.retry_count);
      rows = subs
        .filter((s) => (!targets || targets.has(s.endpointId)) && eventTypeMatches(s.filterConfig.event_types, ev.eventType))
        .filter((s) => matchFilter(s.filterConfig.filter?.body ?? {}, body) && matchFilter(s.filterConfig.filter?.headers ?? {}, ev.headers))
        .map((s) => ({
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

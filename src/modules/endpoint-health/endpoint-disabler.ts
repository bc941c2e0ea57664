import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HealthMetrics } from '../../../libs/observability/metrics';
import { autoDisableReason, EndpointEvents, EndpointsService } from '../endpoints';
import { AutoDisableRepository } from './auto-disable.repository';
import { EndpointHealthStore } from './endpoint-health.store';

/**
 * Disables endpoints that keep failing or answer 410 Gone. The rule for what happens to
 * their deliveries: an endpoint the gateway disabled holds them (like a paused one) until
 * it is activated; an endpoint a user disabled discards them, as Convoy does. The mark is
 * written before the status flips, so no worker ever sees the status without the mark.
 */
@Injectable()
export class EndpointDisabler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EndpointDisabler.name);
  private unsubscribe?: () => void;

  constructor(
    private readonly marks: AutoDisableRepository,
    private readonly endpoints: EndpointsService,
    private readonly events: EndpointEvents,
    private readonly store: EndpointHealthStore,
    private readonly metrics: HealthMetrics,
  ) {}

  /** Reactivation starts the endpoint's health afresh: no mark, a closed breaker, no failure streak. */
  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe(async (change) => {
      if (change.type === 'endpoint.status_changed' && change.to === 'active') {
        await this.marks.clear(change.endpointId);
        await this.store.reset(change.endpointId).catch(() => undefined);
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async disable(projectId: string, endpointId: string, cause: 'gone' | 'failures', detail: string): Promise<void> {
    const reason = autoDisableReason(detail);
    await this.marks.mark(projectId, endpointId, reason);
    const after = await this.endpoints.setStatus(projectId, endpointId, 'inactive', reason);
    this.metrics.autoDisabled(cause);
    this.logger.warn({ projectId, endpointId, status: after.status, reason }, 'endpoint disabled');
  }

  /** Whether the deliveries of this inactive endpoint wait for its reactivation. */
  holdsDeliveries(endpointId: string): Promise<boolean> {
    return this.marks.isMarked(endpointId);
  }
}

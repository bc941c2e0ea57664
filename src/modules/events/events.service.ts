import { Injectable } from '@nestjs/common';
import { notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { parseGoDuration } from '../../../libs/config';
import { idFloor } from '../../common/ids';
import { narrowed } from '../../common/scope';
import { ProjectsService } from '../projects';
import { EventEntity } from './event.entity';
import { EventFilter, EventsRepository, MAX_BATCH_REPLAY } from './events.repository';
import { RoutingQueue } from './routing/routing.queue';

/**
 * Reading events and replaying them. Ingest is its own use case (ingest/ingest-event.ts).
 * A replay starts a new routing pass: the event keeps the durable `routed_at IS NULL`
 * marker until the router has written the new deliveries.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsRepository,
    private readonly routing: RoutingQueue,
    private readonly projects: ProjectsService,
  ) {}

  /** A search looks back no further than the project's search_policy (Convoy's lookback); empty means no bound. */
  private async windowed(projectId: string, filter: EventFilter): Promise<EventFilter> {
    if (!filter.search) return filter;
    const policy = parseGoDuration((await this.projects.getCached(projectId)).config.search_policy ?? '');
    return policy ? { ...filter, searchFloorId: idFloor(new Date(Date.now() - policy)) } : filter;
  }

  async get(projectId: string, id: string): Promise<EventEntity> {
    const e = await this.events.findOne(projectId, id);
    if (!e || e.deletedAt) throw notFound('event');
    return e;
  }

  /** The live events among `ids` (for other answers' `event_metadata`). */
  async findMany(projectId: string, ids: string[]): Promise<EventEntity[]> {
    return (await this.events.findMany(projectId, [...new Set(ids)])).filter((e) => !e.deletedAt);
  }

  async list(projectId: string, filter: EventFilter, page: PageRequest): Promise<EventEntity[]> {
    return this.events.list(projectId, await this.windowed(projectId, filter), page);
  }

  /**
   * For a view limited to some endpoints (a portal link's): the events sent to at least one
   * of `scope`; a filter's own endpoints narrow it further, never widen it. No endpoints in
   * scope means no events.
   */
  async listForEndpoints(projectId: string, scope: string[], filter: EventFilter, page: PageRequest): Promise<EventEntity[]> {
    const endpointIds = narrowed(scope, filter.endpointIds);
    if (endpointIds.length === 0) return [];
    return this.list(projectId, { ...filter, endpointIds }, page);
  }

  /** An event sent to at least one of `scope`, or 404 as if it did not exist. */
  async getForEndpoints(projectId: string, scope: string[], id: string): Promise<EventEntity> {
    const e = await this.get(projectId, id);
    const allowed = new Set(scope);
    if (!e.endpoints.some((ep) => allowed.has(ep))) throw notFound('event');
    return e;
  }

  async countForReplay(projectId: string, filter: EventFilter): Promise<number> {
    return this.events.countUpTo(projectId, await this.windowed(projectId, filter));
  }

  /** Unlike Convoy, a replay of a finished event is not a no-op: it makes new deliveries. */
  async replay(projectId: string, id: string): Promise<EventEntity> {
    const done = await this.events.startReplay(projectId, [id]);
    if (done.length === 0) throw notFound('event');
    this.routing.wake(done);
    return this.get(projectId, id);
  }

  async batchReplay(projectId: string, filter: EventFilter): Promise<{ replayed: number; limit: number }> {
    const ids = await this.events.idsForReplay(projectId, await this.windowed(projectId, filter));
    const done = await this.events.startReplay(projectId, ids);
    this.routing.wake(done);
    return { replayed: done.length, limit: MAX_BATCH_REPLAY };
  }
}

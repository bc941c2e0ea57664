import { Injectable } from '@nestjs/common';
import { conflict, notFound } from '../../common/errors/domain-error';
import { newId } from '../../common/ids';
import { ProjectsService } from '../projects';
import { CreateEventTypeDto, UpdateEventTypeDto } from './dto/event-type.dto';
import { EventTypeEntity } from './event-type.entity';
import { EventTypesRepository } from './event-types.repository';

@Injectable()
export class EventTypesService {
  constructor(
    private readonly eventTypes: EventTypesRepository,
    private readonly projects: ProjectsService,
  ) {}

  async create(projectId: string, dto: CreateEventTypeDto): Promise<EventTypeEntity> {
    await this.projects.get(projectId);
    const now = new Date();
    const row: EventTypeEntity = {
      id: newId(),
      projectId,
      name: dto.name,
      category: dto.category ?? '',
      description: dto.description ?? '',
      jsonSchema: dto.json_schema ?? null,
      deprecatedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.eventTypes.insert(row))) throw conflict('event_type_exists', `the project already has an event type named "${dto.name}"`);
    return row;
  }

  async list(projectId: string): Promise<EventTypeEntity[]> {
    await this.projects.getCached(projectId);
    return this.eventTypes.listForProject(projectId);
  }

  async get(projectId: string, id: string): Promise<EventTypeEntity> {
    await this.projects.getCached(projectId);
    const row = await this.eventTypes.find(projectId, id);
    if (!row) throw notFound('event type');
    return row;
  }

  async update(projectId: string, id: string, dto: UpdateEventTypeDto): Promise<EventTypeEntity> {
    await this.projects.get(projectId);
    const patch: Partial<Pick<EventTypeEntity, 'description' | 'category' | 'jsonSchema'>> = {};
    if (dto.category !== undefined) patch.category = dto.category;
    if (dto.description !== undefined) patch.description = dto.description;
    if (dto.json_schema !== undefined) patch.jsonSchema = dto.json_schema;
    const row = await this.eventTypes.update(projectId, id, patch);
    if (!row) throw notFound('event type');
    return row;
  }

  async deprecate(projectId: string, id: string): Promise<EventTypeEntity> {
    await this.projects.get(projectId);
    const row = await this.eventTypes.deprecate(projectId, id);
    if (!row) throw notFound('event type');
    return row;
  }
}

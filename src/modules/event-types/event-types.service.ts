import { Inject, Injectable } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { badRequest, conflict, limitReached, notFound } from '../../common/errors/domain-error';
import { newId } from '../../common/ids';
import { ProjectsService } from '../projects';
import { CreateEventTypeDto, UpdateEventTypeDto } from './dto/event-type.dto';
import { EventTypeEntity } from './event-type.entity';
import { EventTypesRepository } from './event-types.repository';
import { eventTypesFromOpenApi, ImportedEventType } from './openapi-import';

/** The most JSON text one event type's schema may have: the list answer carries every schema of the project. */
export const MAX_JSON_SCHEMA_CHARS = 16 * 1024;

function checkSchema(schema: Record<string, unknown> | null | undefined): void {
  if (schema && JSON.stringify(schema).length > MAX_JSON_SCHEMA_CHARS) {
    throw badRequest('json_schema_too_large', `json_schema must be at most ${MAX_JSON_SCHEMA_CHARS} characters of JSON`);
  }
}

@Injectable()
export class EventTypesService {
  constructor(
    private readonly eventTypes: EventTypesRepository,
    private readonly projects: ProjectsService,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  async create(projectId: string, dto: CreateEventTypeDto): Promise<EventTypeEntity> {
    await this.projects.get(projectId);
    checkSchema(dto.json_schema);
    if ((await this.eventTypes.count(projectId)) >= this.config.projectMaxEventTypes) throw limitReached('event types', this.config.projectMaxEventTypes);
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

  /**
   * Convoy's import: the event types an OpenAPI 3 document's `webhooks` section describes;
   * an existing type of the same name gets the document's description, category and schema.
   * Checked whole before anything is written.
   */
  async importOpenApi(projectId: string, spec: string): Promise<EventTypeEntity[]> {
    await this.projects.get(projectId);
    let found: ImportedEventType[];
    try {
      found = eventTypesFromOpenApi(spec);
    } catch (e) {
      throw badRequest('invalid_openapi_spec', `spec: ${(e as Error).message}`);
    }
    for (const t of found) {
      if (!/^(?!\*$)[\x21-\x7e]{1,200}$/.test(t.name))
        throw badRequest('invalid_openapi_spec', `spec: webhook name "${t.name.slice(0, 64)}" is not a valid event type name`);
      checkSchema(t.jsonSchema);
    }
    const existing = new Map((await this.eventTypes.listForProject(projectId)).map((e) => [e.name, e]));
    const added = found.filter((t) => !existing.has(t.name)).length;
    if (existing.size + added > this.config.projectMaxEventTypes) throw limitReached('event types', this.config.projectMaxEventTypes);
    const out: EventTypeEntity[] = [];
    for (const t of found) {
      const current = existing.get(t.name);
      if (current) {
        const row = await this.eventTypes.update(projectId, current.id, { description: t.description, category: t.category, jsonSchema: t.jsonSchema });
        if (row) out.push(row);
        continue;
      }
      const now = new Date();
      const row: EventTypeEntity = {
        id: newId(),
        projectId,
        name: t.name,
        category: t.category,
        description: t.description,
        jsonSchema: t.jsonSchema,
        deprecatedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      if (await this.eventTypes.insert(row)) out.push(row);
      else {
        // created meanwhile by someone else: take theirs
        const other = await this.eventTypes.findByName(projectId, t.name);
        if (other) out.push(other);
      }
    }
    return out;
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
    checkSchema(dto.json_schema);
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

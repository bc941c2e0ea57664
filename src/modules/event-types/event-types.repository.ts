import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryDeepPartialEntity, Repository } from 'typeorm';
import { EventTypeEntity } from './event-type.entity';
import { ReplicaReads } from '../../../libs/database/replica-reads';

@Injectable()
export class EventTypesRepository {
  constructor(
    @InjectRepository(EventTypeEntity) private readonly repo: Repository<EventTypeEntity>,
    private readonly reads: ReplicaReads,
  ) {}

  /** false when the project already has an event type with this name. */
  async insert(row: EventTypeEntity): Promise<boolean> {
    // ON CONFLICT rather than catching the violation: a duplicate name is an expected answer, not an error to log
    const res = await this.repo
      .createQueryBuilder()
      .insert()
      .into(EventTypeEntity)
      .values(row as QueryDeepPartialEntity<EventTypeEntity>)
      .orIgnore()
      .returning('id')
      .execute();
    return Array.isArray(res.raw) && res.raw.length > 0;
  }

  find(projectId: string, id: string): Promise<EventTypeEntity | null> {
    return this.reads.repo(this.repo).findOne({ where: { id, projectId } });
  }

  count(projectId: string): Promise<number> {
    return this.repo.count({ where: { projectId } });
  }

  findByName(projectId: string, name: string): Promise<EventTypeEntity | null> {
    return this.repo.findOne({ where: { projectId, name } });
  }

  listForProject(projectId: string): Promise<EventTypeEntity[]> {
    return this.reads.repo(this.repo).find({ where: { projectId }, order: { id: 'ASC' } });
  }

  async update(
    projectId: string,
    id: string,
    patch: Partial<Pick<EventTypeEntity, 'description' | 'category' | 'jsonSchema'>>,
  ): Promise<EventTypeEntity | null> {
    // json_schema is free-form JSON, which TypeORM's deep-partial type cannot express
    const res = await this.repo.update({ id, projectId }, { ...patch, updatedAt: new Date() } as QueryDeepPartialEntity<EventTypeEntity>);
    if ((res.affected ?? 0) === 0) return null;
    return this.find(projectId, id);
  }

  /** Sets deprecated_at once; deprecating again keeps the first date. */
  async deprecate(projectId: string, id: string): Promise<EventTypeEntity | null> {
    await this.repo
      .createQueryBuilder()
      .update(EventTypeEntity)
      .set({ deprecatedAt: () => 'COALESCE(deprecated_at, now())', updatedAt: () => 'now()' })
      .where('id = :id AND project_id = :projectId', { id, projectId })
      .execute();
    return this.find(projectId, id);
  }
}

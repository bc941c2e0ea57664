import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { BrokerRejectionEntity } from './broker-rejection.entity';

@Injectable()
export class BrokerRejectionsRepository {
  constructor(@InjectRepository(BrokerRejectionEntity) private readonly repo: Repository<BrokerRejectionEntity>) {}

  async insert(row: BrokerRejectionEntity): Promise<void> {
    await this.repo.insert(row);
  }

  list(projectId: string, sourceId: string, page: KeysetRequest): Promise<BrokerRejectionEntity[]> {
    const qb = this.repo.createQueryBuilder('r').where('r.project_id = :projectId AND r.source_id = :sourceId', { projectId, sourceId });
    return applyKeyset(qb, 'r', page).getMany();
  }

  /** Whether PostgreSQL answers: consumers wait on this after a transient failure. */
  async ping(): Promise<void> {
    await this.repo.query('SELECT 1');
  }
}

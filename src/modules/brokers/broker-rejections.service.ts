import { Injectable } from '@nestjs/common';
import { PageRequest } from '../../common/http/pagination.dto';
import { SourcesService } from '../sources';
import { BrokerRejectionEntity } from './broker-rejection.entity';
import { BrokerRejectionsRepository } from './broker-rejections.repository';

@Injectable()
export class BrokerRejectionsService {
  constructor(
    private readonly rejections: BrokerRejectionsRepository,
    private readonly sources: SourcesService,
  ) {}

  /** The rejections of a source of the project, newest first; 404 for another project's source. */
  async list(projectId: string, sourceId: string, page: PageRequest): Promise<BrokerRejectionEntity[]> {
    await this.sources.get(projectId, sourceId);
    return this.rejections.list(projectId, sourceId, page);
  }
}

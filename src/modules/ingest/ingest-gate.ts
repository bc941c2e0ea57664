import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { ProjectEntity, ProjectsService } from '../projects';
import { SourceEntity, SourcesService } from '../sources';
import { IngestGuards } from './ingest-guards';

/** The checks of an /ingest request that need no body: the source behind the mask, and its rate. */
@Injectable()
export class IngestGate {
  constructor(
    private readonly sources: SourcesService,
    private readonly projects: ProjectsService,
    private readonly guards: IngestGuards,
  ) {}

  async open(maskId: string): Promise<{ source: SourceEntity; project: ProjectEntity }> {
    const source = await this.sources.findForIngest(maskId);
    // unknown and disabled look the same to a sender: no oracle for masks
    if (!source || source.isDisabled) throw resourceNotFound();
    let project: ProjectEntity;
    try {
      project = await this.projects.getCached(source.projectId);
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'not_found') throw resourceNotFound();
      throw e;
    }
    const verdict = await this.guards.admit(source);
    if (!verdict.allowed) {
      throw new DomainError('too_many_requests', 'rate_limited', 'too many requests for this source; slow down', undefined, verdict.retryAfter);
    }
    return { source, project };
  }
}

function resourceNotFound(): DomainError {
  const e = notFound('source');
  return new DomainError('not_found', e.code, 'Resource not found');
}

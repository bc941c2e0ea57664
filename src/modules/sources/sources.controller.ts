import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { ProjectAccess } from '../auth';
import { CreateSourceDto, ListSourcesQueryDto, SourceResponseDto, UpdateSourceDto } from './dto/source.dto';
import { SourcePresenter } from './source.presenter';
import { SourcesService } from './sources.service';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

@ApiTags('Sources')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/sources')
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly presenter: SourcePresenter,
  ) {}

  @Post()
  @ApiEnvelope(SourceResponseDto, { status: 201 })
  @ApiResponse({ status: 400, description: 'a setting is refused (see `code`), or the source type is not served', type: ErrorEnvelopeDto })
  async create(@Param('projectID') projectId: string, @Body() body: CreateSourceDto): Promise<Envelope<SourceResponseDto>> {
    return ok('Source created successfully', this.presenter.toResponse(await this.sources.create(projectId, body)));
  }

  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(SourceResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: ListSourcesQueryDto): Promise<Envelope<Page<SourceResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.sources.list(projectId, q, req);
    return ok(
      'Sources fetched successfully',
      toPage(rows, req, (s) => this.presenter.toResponse(s)),
    );
  }

  @ReadsFromReplica()
  @Get(':sourceID')
  @ApiEnvelope(SourceResponseDto)
  async get(@Param('projectID') projectId: string, @Param('sourceID') id: string): Promise<Envelope<SourceResponseDto>> {
    return ok('Source fetched successfully', this.presenter.toResponse(await this.sources.get(projectId, id)));
  }

  @Put(':sourceID')
  @HttpCode(202)
  @ApiEnvelope(SourceResponseDto, { status: 202 })
  @ApiResponse({ status: 400, description: 'a setting is refused (see `code`)', type: ErrorEnvelopeDto })
  async update(@Param('projectID') projectId: string, @Param('sourceID') id: string, @Body() body: UpdateSourceDto): Promise<Envelope<SourceResponseDto>> {
    return ok('Source updated successfully', this.presenter.toResponse(await this.sources.update(projectId, id, body)));
  }

  /** Deletes the source and its subscriptions. */
  @Delete(':sourceID')
  @HttpCode(200)
  @ApiEnvelope(null)
  async delete(@Param('projectID') projectId: string, @Param('sourceID') id: string): Promise<Envelope<null>> {
    await this.sources.delete(projectId, id);
    return ok('Source deleted successfully', null);
  }
}

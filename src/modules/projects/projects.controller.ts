import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { AdminOnly, apiKeyRole, CurrentPrincipal, Principal, ProjectAccess } from '../auth';
import { Envelope, ok } from '../../common/http/envelope';
import { CreateProjectDto, CreateProjectResponseDto, ListProjectsQueryDto, ProjectResponseDto, UpdateProjectDto } from './dto/project.dto';
import { publicProjectConfig } from './project-config';
import { ProjectEntity } from './project.entity';
import { ProjectsService } from './projects.service';

export function toProjectResponse(p: ProjectEntity): ProjectResponseDto {
  return {
    uid: p.id,
    name: p.name,
    type: p.type,
    logo_url: p.logoUrl,
    // one organisation per instance, no per-project statistics
    organisation_id: '',
    statistics: null,
    config: publicProjectConfig(p.config) as unknown as Record<string, unknown>,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    deleted_at: p.deletedAt ? p.deletedAt.toISOString() : null,
  };
}

/** Convoy lists projects unpaged; an instance with more than this many answers the newest. */
const MAX_LISTED_PROJECTS = 1000;

@ApiTags('Projects')
@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  /** Creates a project and returns its first API key (shown once). */
  @Post()
  @AdminOnly()
  @ApiEnvelope(CreateProjectResponseDto, { status: 201 })
  async create(@Body() body: CreateProjectDto): Promise<Envelope<CreateProjectResponseDto>> {
    const { project, key } = await this.projects.create(body);
    return ok('Project created successfully', {
      api_key: {
        uid: key.entity.id,
        name: key.entity.name,
        key_type: key.entity.keyType,
        key: key.key,
        project_id: project.id,
        role: apiKeyRole(key.entity.keyType, project.id),
        user_id: '',
        expires_at: null,
        created_at: key.entity.createdAt.toISOString(),
      },
      project: toProjectResponse(project),
    });
  }

  /** Lists projects; a project key sees only its own. */
  @Get()
  @ProjectAccess()
  @ApiEnvelope(ProjectResponseDto, { array: true, description: "Convoy's shape: every project the key may see (at most 1,000), newest first" })
  async list(@Query() _q: ListProjectsQueryDto, @CurrentPrincipal() who: Principal): Promise<Envelope<ProjectResponseDto[]>> {
    const rows = await this.projects.list({ perPage: MAX_LISTED_PROJECTS, direction: 'next' }, who.kind === 'project' ? who.projectId : undefined);
    return ok('Projects fetched successfully', rows.slice(0, MAX_LISTED_PROJECTS).map(toProjectResponse));
  }

  @Get(':projectID')
  @ProjectAccess()
  @ApiEnvelope(ProjectResponseDto)
  async get(@Param('projectID') id: string): Promise<Envelope<ProjectResponseDto>> {
    return ok('Project fetched successfully', toProjectResponse(await this.projects.get(id)));
  }

  @Put(':projectID')
  @ProjectAccess()
  @HttpCode(202)
  @ApiEnvelope(ProjectResponseDto, { status: 202 })
  async update(@Param('projectID') id: string, @Body() body: UpdateProjectDto): Promise<Envelope<ProjectResponseDto>> {
    return ok('Project updated successfully', toProjectResponse(await this.projects.update(id, body)));
  }

  @Delete(':projectID')
  @AdminOnly()
  @HttpCode(200)
  @ApiEnvelope(null)
  async delete(@Param('projectID') id: string): Promise<Envelope<null>> {
    await this.projects.delete(id);
    return ok('Project deleted successfully', null);
  }
}

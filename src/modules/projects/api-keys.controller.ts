import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, PaginationQueryDto, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { ApiKeyEntity, apiKeyRole, ApiKeyResponseDto, ApiKeysService, CreateApiKeyDto, ProjectAccess } from '../auth';
import { ProjectsService } from './projects.service';

function toResponse(e: ApiKeyEntity, key?: string): ApiKeyResponseDto {
  return {
    uid: e.id,
    name: e.name,
    key_type: e.keyType,
    ...(key ? { key } : {}),
    project_id: e.projectId ?? '',
    role: apiKeyRole(e.keyType, e.projectId),
    user_id: '',
    expires_at: e.expiresAt ? e.expiresAt.toISOString() : null,
    created_at: e.createdAt.toISOString(),
  };
}

/** Project API keys beyond the one returned at project creation (a Caravan extension). */
@ApiTags('API keys')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly projects: ProjectsService,
  ) {}

  @Post()
  @ApiEnvelope(ApiKeyResponseDto, { status: 201 })
  async create(@Param('projectID') projectId: string, @Body() body: CreateApiKeyDto): Promise<Envelope<ApiKeyResponseDto>> {
    const issued = await this.projects.issueKey(projectId, body.name, body.expires_at ?? null);
    return ok('API key created successfully', toResponse(issued.entity, issued.key));
  }

  @Get()
  @ApiEnvelope(ApiKeyResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: PaginationQueryDto): Promise<Envelope<Page<ApiKeyResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.keys.listProjectKeys(projectId, req);
    return ok(
      'API keys fetched successfully',
      toPage(rows, req, (r) => toResponse(r)),
    );
  }

  @Delete(':keyID')
  @HttpCode(200)
  @ApiEnvelope(null)
  async revoke(@Param('projectID') projectId: string, @Param('keyID') keyId: string): Promise<Envelope<null>> {
    await this.keys.revokeProjectKey(projectId, keyId);
    return ok('API key revoked successfully', null);
  }
}

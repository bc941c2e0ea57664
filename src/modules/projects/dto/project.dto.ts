import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ApiKeyResponseDto } from '../../auth/dto/api-key.dto';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';
import { ProjectConfigDto } from './project-config.dto';

export class CreateProjectDto {
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  /** `outgoing` (you send webhooks) or `incoming` (you receive them) */
  @IsIn(['outgoing', 'incoming']) type!: 'outgoing' | 'incoming';
  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @MaxLength(2048) logo_url?: string;
  @IsOptional() @ValidateNested() @Type(() => ProjectConfigDto) config?: ProjectConfigDto;
}

export class UpdateProjectDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @MaxLength(2048) logo_url?: string;
  @IsOptional() @ValidateNested() @Type(() => ProjectConfigDto) config?: ProjectConfigDto;
}

export class ProjectResponseDto {
  uid!: string;
  name!: string;
  type!: string;
  logo_url!: string;
  /** Convoy's organisation; Caravan has one per instance: always empty */
  organisation_id!: string;
  /** Convoy's project statistics: not kept, always null */
  statistics!: Record<string, unknown> | null;
  config!: Record<string, unknown>;
  created_at!: string;
  updated_at!: string;
  deleted_at?: string | null;
}

export class CreateProjectResponseDto {
  api_key!: ApiKeyResponseDto;
  project!: ProjectResponseDto;
}

/** Convoy's project list query: its SDKs always send `orgID`, which Caravan (one organisation per instance) accepts and ignores. */
export class ListProjectsQueryDto extends PaginationQueryDto {
  /** Convoy's organisation id; Caravan has one organisation per instance */
  @IsOptional() @IsString() @MaxLength(64) orgID?: string;
}

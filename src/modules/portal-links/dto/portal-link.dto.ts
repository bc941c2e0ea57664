import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination.dto';

export const PORTAL_AUTH_TYPES = ['static_token', 'refresh_token'] as const;

/** Convoy's `CreatePortalLinkRequest`. */
export class CreatePortalLinkDto {
  /** the link's name */
  @IsString() @Length(1, 200) name!: string;
  /**
   * the link shows the project's endpoints with this owner id, and the events and
   * deliveries sent to them; unset = the link's own id (a new owner with no endpoints yet)
   */
  @IsOptional() @IsString() @Matches(/^[^\0\r\n]{1,200}$/, { message: 'owner_id must be 1-200 characters without CR, LF or NUL' }) owner_id?: string;
  /** `static_token` (default: a token that does not expire) or `refresh_token` (tokens that expire; `…/refresh_token` issues a new one) */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @IsIn(PORTAL_AUTH_TYPES)
  auth_type?: (typeof PORTAL_AUTH_TYPES)[number];
  /** whether the portal may create, change, pause and delete the owner's endpoints */
  @IsOptional() @IsBoolean() can_manage_endpoint?: boolean;
  /** deprecated: endpoints to give the link's owner id (each must have no owner, or this one) */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(64, { each: true }) endpoints?: string[];
}

/** Convoy's `UpdatePortalLinkRequest`: the link's settings as a whole (an empty `owner_id` or `auth_type` keeps the current one). */
export class UpdatePortalLinkDto extends CreatePortalLinkDto {}

export class ListPortalLinksQueryDto extends PaginationQueryDto {
  /** only links of this owner */
  @IsOptional() @IsString() @MaxLength(200) ownerId?: string;
  /** part of the link name (case-insensitive) */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  /** `ASC` or `DESC` (default) by creation */
  @IsOptional() @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value)) @IsIn(['ASC', 'DESC']) sort?:
    'ASC' | 'DESC';
}

/** Convoy's `PortalLinkResponse`. */
export class PortalLinkResponseDto {
  uid!: string;
  project_id!: string;
  name!: string;
  owner_id!: string;
  /** `<PORTAL_BASE_URL>/portal?token=<token>` when this answer issued a token, else `<PORTAL_BASE_URL>/portal` */
  url!: string;
  /** the new token of a `static_token` link, in the answer that issued it only (create, refresh, a change of auth type); otherwise empty */
  token!: string;
  /** the new token of a `refresh_token` link, in the answer that issued it only; otherwise empty */
  auth_key!: string;
  @ApiProperty({ enum: PORTAL_AUTH_TYPES }) auth_type!: string;
  can_manage_endpoint!: boolean;
  /** the deprecated `endpoints` list as last sent */
  endpoints!: string[];
  /** how many live endpoints the owner has */
  endpoint_count!: number;
  /** the owner's live endpoints (no secrets) */
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  endpoints_metadata!: Record<string, unknown>[];
  created_at!: string;
  updated_at!: string;
  @ApiProperty({ type: 'string', nullable: true }) deleted_at!: string | null;
}

/** What `GET /portal-api/portal_link` tells the portal about the link that opened it. */
export class PortalSessionResponseDto extends PortalLinkResponseDto {
  project_name!: string;
  /** `refresh_token` links: when the token this request carried stops working; null for static tokens */
  @ApiProperty({ type: 'string', nullable: true }) token_expires_at!: string | null;
}

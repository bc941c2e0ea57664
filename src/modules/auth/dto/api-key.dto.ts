import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class CreateApiKeyDto {
  /** a label for the key */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  /** when the key stops working (RFC 3339); never when absent */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expires_at?: Date;
}

export class ApiKeyResponseDto {
  uid!: string;
  name!: string;
  key_type!: string;
  /** the full key: present only in the answer that created it */
  key?: string;
  project_id!: string;
  /** Convoy's role: a project key manages its project, the instance key everything */
  role!: ApiKeyRoleDto;
  /** Convoy's owning user; Caravan's keys belong to no user: always empty */
  user_id!: string;
  expires_at!: string | null;
  created_at!: string;
}

export class ApiKeyRoleDto {
  type!: 'project_admin' | 'instance_admin';
  project!: string;
}

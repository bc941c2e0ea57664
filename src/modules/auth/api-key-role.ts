import type { ApiKeyRoleDto } from './dto/api-key.dto';

/** A key's rights in Convoy's words: a project key manages its project, the instance key everything. */
export function apiKeyRole(keyType: 'instance' | 'project', projectId: string | null): ApiKeyRoleDto {
  return keyType === 'instance' ? { type: 'instance_admin', project: '' } : { type: 'project_admin', project: projectId ?? '' };
}

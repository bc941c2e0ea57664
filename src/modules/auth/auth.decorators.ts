import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Principal, PRINCIPAL } from './principal';

export const ACCESS_KEY = 'caravan:access';
export type Access = 'public' | 'instance' | 'project';

/** Only the instance admin key may call this route. */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, 'instance'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing or invalid key' }),
    ApiForbiddenResponse({ description: 'needs the instance admin key' }),
  );

/** A project key for the `projectID` in the path, or the instance admin key. */
export const ProjectAccess = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, 'project'), ApiBearerAuth(), ApiUnauthorizedResponse({ description: 'missing or invalid key' }));

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, 'public');

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<Record<symbol, Principal>>();
  return req[PRINCIPAL];
});

import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiQuery, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DomainError, unauthorized } from '../../common/errors/domain-error';
import { Public } from '../auth';
import { PortalLinksService, PortalSession } from './portal-links.service';

const SESSION = Symbol.for('caravan.portal-session');
const MANAGES_ENDPOINTS = 'caravan:portal-manages-endpoints';

interface PortalRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  [SESSION]?: PortalSession;
}

/** The portal token of a request: `Authorization: Bearer <token>`, else `?token=<token>` (Convoy's portal links carry it so). */
export function portalToken(req: PortalRequest): string | undefined {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (m) return m[1];
  const q = req.query?.token;
  return typeof q === 'string' && q.length > 0 ? q : undefined;
}

/**
 * Opens the portal API with a portal link's token, read from PostgreSQL on each request
 * (a revoked or refreshed token fails on the next request, on every pod). Routes marked
 * `@ManagesEndpoints()` also need the link's `can_manage_endpoint`.
 */
@Injectable()
export class PortalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly links: PortalLinksService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<PortalRequest>();
    const token = portalToken(req);
    if (!token) throw unauthorized('missing portal link token');
    const session = await this.links.authenticate(token);
    if (!session) throw unauthorized('invalid, expired or revoked portal link token');
    if (this.reflector.getAllAndOverride<boolean | undefined>(MANAGES_ENDPOINTS, [ctx.getHandler(), ctx.getClass()]) && !session.link.canManageEndpoint) {
      throw new DomainError('forbidden', 'portal_read_only', 'this portal link cannot manage endpoints (can_manage_endpoint is false)');
    }
    req[SESSION] = session;
    return true;
  }
}

/** A portal API controller: no API key; a portal link token instead. */
export const PortalApi = (): ClassDecorator =>
  applyDecorators(
    Public(),
    UseGuards(PortalAuthGuard),
    ApiBearerAuth(),
    ApiQuery({ name: 'token', required: false, type: String, description: 'the portal link token, when it is not sent as `Authorization: Bearer <token>`' }),
    ApiUnauthorizedResponse({ description: 'missing, invalid, expired or revoked portal link token' }),
  );

/** Needs a link with `can_manage_endpoint`; 403 `portal_read_only` otherwise. */
export const ManagesEndpoints = (): MethodDecorator =>
  applyDecorators(SetMetadata(MANAGES_ENDPOINTS, true), ApiForbiddenResponse({ description: 'the link cannot manage endpoints (`portal_read_only`)' }));

/** The portal session the guard opened. */
export const Session = createParamDecorator((_: unknown, ctx: ExecutionContext): PortalSession => {
  const s = ctx.switchToHttp().getRequest<PortalRequest>()[SESSION];
  if (!s) throw unauthorized('missing portal link token');
  return s;
});

import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** The portal API's paths: `/portal-api` and below. */
const PORTAL_PATH = /^\/portal-api(\/|\?|$)/;

/**
 * Checks the portal token of every `/portal-api` request before its body is read, so a
 * sender without a valid token cannot make the gateway buffer a body only to be refused.
 * The guard below reuses the session.
 */
export function authenticatePortalBeforeBody(fastify: FastifyInstance, links: PortalLinksService): void {
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!PORTAL_PATH.test(req.url)) return;
    const token = portalToken({ headers: req.headers, query: req.query as Record<string, unknown> });
    const session = token ? await links.authenticate(token) : undefined;
    if (!session) {
      const message = token ? 'invalid, expired or revoked portal link token' : 'missing portal link token';
      // the body was never read: close the connection rather than drain it
      return reply.code(401).header('connection', 'close').send({ status: false, message, code: 'unauthorized' });
    }
    (req as unknown as PortalRequest)[SESSION] = session;
  });
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
    // usually already checked before the body was read (authenticatePortalBeforeBody)
    let session = req[SESSION];
    if (!session) {
      const token = portalToken(req);
      if (!token) throw unauthorized('missing portal link token');
      session = await this.links.authenticate(token);
      if (!session) throw unauthorized('invalid, expired or revoked portal link token');
    }
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

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, notFound, unauthorized } from '../../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';
import type { RequestRateLimiter } from './request-rate-limiter';
import { Access, ACCESS_KEY } from './auth.decorators';
import { Principal, PRINCIPAL } from './principal';

interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  [PRINCIPAL]?: Principal;
}

/** The principal of a request's bearer token; throws 401 when there is none or it is not valid. */
export async function authenticateRequest(keys: ApiKeysService, headers: Record<string, string | string[] | undefined>): Promise<Principal> {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!m) throw unauthorized('missing bearer token');
  const principal = await keys.authenticate(m[1]);
  if (!principal) throw unauthorized('invalid api key');
  return principal;
}

/**
 * Checks the API key of every `/api/` request before its body is read, so an
 * unauthenticated sender cannot make the gateway buffer megabytes (or wait on a slow
 * upload) only to be refused. The route guard below reuses the principal.
 */
export function authenticateBeforeBody(fastify: FastifyInstance, keys: ApiKeysService, limiter: RequestRateLimiter): void {
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/')) return;
    let principal: Principal;
    try {
      principal = await authenticateRequest(keys, req.headers);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      // the body was never read: close the connection rather than drain it
      return reply.code(e.status).header('connection', 'close').send({ status: false, message: e.message, code: e.code });
    }
    const verdict = await limiter.check(principal, req.method === 'POST' && INGEST_ROUTE.test(req.routeOptions.url ?? ''));
    if (!verdict.allowed) {
      const message = verdict.limit === 'ingest' ? 'too many events for this project; slow down' : 'too many requests for this API key; slow down';
      return reply.code(429).header('retry-after', String(verdict.retryAfter)).send({ status: false, message, code: 'rate_limited' });
    }
    (req as unknown as AuthRequest)[PRINCIPAL] = principal;
  });
}

/** The routes that take events in (and are held to INGEST_RATE_LIMIT). */
const INGEST_ROUTE = /^\/api\/v1\/projects\/:projectID\/events(\/(fanout|broadcast|dynamic))?$/;

/**
 * Every route is closed unless marked: `@Public()`, `@AdminOnly()` or `@ProjectAccess()`.
 * A project key used on another project's path gets 404, never 403: no existence oracle.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (access === 'public') return true;
    const req = ctx.switchToHttp().getRequest<AuthRequest>();
    // usually already checked before the body was read (authenticateBeforeBody)
    const principal = req[PRINCIPAL] ?? (await authenticateRequest(this.keys, req.headers));
    req[PRINCIPAL] = principal;

    if (principal.kind === 'instance') return true;
    if (access === 'instance' || access === undefined) {
      throw new DomainError('forbidden', 'instance_key_required', 'this route needs the instance admin key');
    }
    const projectId = req.params?.projectID;
    if (projectId !== undefined && projectId !== principal.projectId) throw notFound('project');
    return true;
  }
}

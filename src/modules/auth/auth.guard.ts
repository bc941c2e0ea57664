import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, notFound, unauthorized } from '../../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';
import { Access, ACCESS_KEY } from './auth.decorators';
import { Principal, PRINCIPAL } from './principal';

interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  [PRINCIPAL]?: Principal;
}

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
    const header = req.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
    if (!m) throw unauthorized('missing bearer token');
    const principal = await this.keys.authenticate(m[1]);
    if (!principal) throw unauthorized('invalid api key');
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

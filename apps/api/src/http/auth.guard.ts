import { Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, type Principal, type Role } from '@airlock/core';
import { ApiKeysService } from '@airlock/registry';
import type { FastifyRequest } from 'fastify';

const ROLES_KEY = 'airlock:roles';
const PUBLIC_KEY = 'airlock:public';

/** Roles allowed on a handler (or a whole controller). Every authenticated role when omitted. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** No key needed (health, metrics, docs, the catalog). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const bearerKey = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
};

/** Authenticates the bearer key (401) and checks the caller's roles against the handler's (403). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = bearerKey(request);
    if (!key) throw new DomainError('UNAUTHENTICATED', 'send an API key as "Authorization: Bearer <key>"');
    const principal = await this.keys.authenticate(key);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'the API key is unknown or revoked');
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !principal.roles.some((role) => allowed.includes(role))) {
      throw new DomainError('FORBIDDEN', `this action needs one of the roles: ${allowed.join(', ')}`, { requiredRoles: allowed });
    }
    request.principal = principal;
    request.log = request.log.child({ principal: principal.keyId });
    return true;
  }
}

/** The authenticated caller of a handler guarded by AuthGuard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'no authenticated principal');
  return principal;
});

import { Controller, Get } from '@nestjs/common';
import { actorOf, type Principal } from '@airlock/core';
import { CurrentPrincipal } from '../http/auth.guard.js';

/**
 * Who the caller's key is. Any valid key may ask: the web console needs the roles to show only the actions the
 * key may take, and `actor` (as written in `requestedBy`, `createdBy`, approvals) to show the four-eyes rules.
 */
@Controller('v1/me')
export class MeController {
  @Get()
  me(@CurrentPrincipal() principal: Principal) {
    return { id: principal.keyId, name: principal.name, roles: principal.roles, actor: actorOf(principal) };
  }
}

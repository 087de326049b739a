import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Principal } from '@airlock/core';
import { RolloutService, type RolloutCommandKind } from '@airlock/promotion';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody, parseLimit } from '../http/parse.js';
import { pageOf } from '../registry/presenters.js';
import { presentRollout } from './presenters.js';

const commandBody = z.strictObject({ reason: z.string().max(2000).optional() });

/**
 * Rollouts (created by the controller for every Approved promotion) and the manual controls. A command is stored
 * and applied by the controller's next tick; the response (200) is the rollout with its `pendingCommand`.
 * Roles: pause — quant, risk, admin (stopping progress is always safe); resume, abort and promote-full (skip the
 * remaining steps: 100% now, the candidate becomes stable and champion) — risk, admin.
 */
@Controller('v1/rollouts')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutService) {}

  @Get()
  async list(@Query('deployment') deployment?: string, @Query('limit') limit?: string, @Query('after') after?: string) {
    const size = parseLimit(limit);
    const items = await this.rollouts.list(deployment, { limit: size, after });
    return pageOf(items.map(presentRollout), size, (r) => r.id);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return presentRollout(await this.rollouts.get(id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Roles('quant', 'risk', 'admin')
  pause(@CurrentPrincipal() actor: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.command(actor, id, 'pause', body);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('risk', 'admin')
  resume(@CurrentPrincipal() actor: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.command(actor, id, 'resume', body);
  }

  @Post(':id/abort')
  @HttpCode(200)
  @Roles('risk', 'admin')
  abort(@CurrentPrincipal() actor: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.command(actor, id, 'abort', body);
  }

  @Post(':id/promote-full')
  @HttpCode(200)
  @Roles('risk', 'admin')
  promoteFull(@CurrentPrincipal() actor: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.command(actor, id, 'promoteFull', body);
  }

  private async command(actor: Principal, id: string, kind: RolloutCommandKind, body: unknown) {
    const { reason } = parseBody(commandBody, body ?? {});
    return presentRollout(await this.rollouts.command(actor, id, kind, reason?.trim() || undefined));
  }
}

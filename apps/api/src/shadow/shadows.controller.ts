import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { DomainError, type Principal } from '@airlock/core';
import { SHADOW_PHASES, ShadowService, type ShadowPhase } from '@airlock/shadow';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody, parseLimit } from '../http/parse.js';
import { pageOf } from '../registry/presenters.js';

/** Shapes only: names, counts, ranges, existence and statuses are checked by the use-case (every field listed). */
const startBody = z.strictObject({
  model: z.string(),
  candidates: z.array(z.number()),
  deployment: z.string(),
  policy: z
    .strictObject({
      orders: z.number(),
      minOrders: z.number(),
      maxIsDeltaBps: z.number(),
      maxInvalidOutputRate: z.number(),
      maxLatencyP99Ms: z.number(),
      maxSkewRate: z.number(),
      featureTolerance: z.number(),
      actionTolerance: z.number(),
    })
    .partial()
    .optional(),
  instruments: z.array(z.string()).optional(),
});

/**
 * Shadow sessions (docs/shadow.md): candidates scored beside a deployment's live flow by the shadow runner.
 * Start and stop: quant, admin; reads: every role.
 */
@Controller('v1/shadows')
export class ShadowsController {
  constructor(private readonly shadows: ShadowService) {}

  /** 201 with the session (Running) and its Location. */
  @Post()
  @HttpCode(201)
  @Roles('quant', 'admin')
  async start(@CurrentPrincipal() actor: Principal, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.shadows.start(actor, parseBody(startBody, body));
    void reply.header('location', `/v1/shadows/${view.id}`);
    return view;
  }

  /** Oldest first; `?model=` and `?phase=` filter. Items carry finding counts, not examples. */
  @Get()
  async list(@Query('model') model?: string, @Query('phase') phase?: string, @Query('limit') limit?: string, @Query('after') after?: string) {
    if (phase !== undefined && !(SHADOW_PHASES as readonly string[]).includes(phase)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid phase', { errors: [{ field: 'phase', message: `one of ${SHADOW_PHASES.join(', ')}` }] });
    }
    const size = parseLimit(limit);
    const items = await this.shadows.list({ model: model || undefined, phase: phase as ShadowPhase | undefined, limit: size, after });
    return pageOf(items, size, (s) => s.id);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.shadows.get(id);
  }

  /** 202: the stop is recorded; the runner ends the session (Stopped) on its next checkpoint. */
  @Post(':id/stop')
  @HttpCode(202)
  @Roles('quant', 'admin')
  stop(@CurrentPrincipal() actor: Principal, @Param('id') id: string) {
    return this.shadows.stop(actor, id);
  }
}

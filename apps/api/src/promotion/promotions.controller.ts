import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { DomainError, PROMOTION_PHASES, type Principal, type PromotionView } from '@airlock/core';
import { PromotionService } from '@airlock/promotion';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody, parseLimit } from '../http/parse.js';
import { pageOf } from '../registry/presenters.js';
import { presentPromotion } from './presenters.js';

const SHA256 = /^[0-9a-f]{64}$/;
const VIEWS: readonly string[] = [...PROMOTION_PHASES, 'Expired'];

/** Shapes only: names, eligibility and the plan are checked by the use-case. */
const requestBody = z.strictObject({
  model: z.string(),
  version: z.number().int().positive(),
  deployment: z.string(),
  plan: z.unknown().optional(),
  override: z.strictObject({ reason: z.string().trim().min(1).max(2000) }).optional(),
});

const voteBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(4000).optional(),
  sha256: z.string().regex(SHA256, 'hex sha256').optional(),
  planHash: z.string().regex(SHA256, 'hex sha256').optional(),
});

@Controller('v1/promotions')
export class PromotionsController {
  constructor(private readonly promotions: PromotionService) {}

  private present = (p: Parameters<typeof presentPromotion>[0]) => presentPromotion(p, this.promotions.now(), this.promotions.options.approvalTtlMs);

  @Post()
  @HttpCode(201)
  @Roles('quant', 'admin')
  async request(@CurrentPrincipal() actor: Principal, @Body() body: unknown) {
    return this.present(await this.promotions.request(actor, parseBody(requestBody, body)));
  }

  /** `?phase=PendingApproval` is the risk inbox: requests still open for votes, oldest first. */
  @Get()
  async list(@Query('phase') phase?: string, @Query('limit') limit?: string, @Query('after') after?: string) {
    if (phase !== undefined && !VIEWS.includes(phase)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid phase', { errors: [{ field: 'phase', message: `one of ${VIEWS.join(', ')}` }] });
    }
    const size = parseLimit(limit);
    const items = await this.promotions.list(phase as PromotionView | undefined, { limit: size, after });
    return pageOf(items.map(this.present), size, (p) => p.id);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return this.present(await this.promotions.get(id));
  }

  /** A risk officer's vote; 201 with the promotion as it stands after it. */
  @Post(':id/approvals')
  @HttpCode(201)
  @Roles('risk')
  async vote(@CurrentPrincipal() actor: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.present(await this.promotions.vote(actor, id, parseBody(voteBody, body)));
  }
}

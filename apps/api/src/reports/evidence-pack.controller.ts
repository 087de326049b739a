import { Controller, Get, Query, Res } from '@nestjs/common';
import { DomainError, type FieldProblem } from '@airlock/core';
import { EvidencePackService } from '@airlock/reports';
import type { FastifyReply } from 'fastify';
import { Roles } from '../http/auth.guard.js';

/** `YYYY-MM-DD` (midnight UTC) or a full ISO-8601 instant. */
function instant(raw: string | undefined, field: string, problems: FieldProblem[]): Date {
  const t = raw === undefined ? Number.NaN : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (!Number.isFinite(t)) problems.push({ field, message: 'must be a date (YYYY-MM-DD) or an ISO-8601 instant' });
  return new Date(Number.isFinite(t) ? t : 0);
}

/** The algorithm-governance evidence pack for a period (docs/reports.md): one zip with a sha256 manifest. */
@Controller('v1/reports')
@Roles('auditor', 'risk', 'admin')
export class EvidencePackController {
  constructor(private readonly packs: EvidencePackService) {}

  @Get('evidence-pack')
  async evidencePack(@Res({ passthrough: true }) reply: FastifyReply, @Query('from') from?: string, @Query('to') to?: string) {
    const problems: FieldProblem[] = [];
    const period = { from: instant(from, 'from', problems), to: instant(to, 'to', problems) };
    if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid period', { errors: problems });
    const pack = await this.packs.pack(period);
    void reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${pack.fileName}"`);
    return Buffer.from(pack.bytes);
  }
}

import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { AuditService } from '@airlock/registry';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Roles } from '../http/auth.guard.js';
import { parseLimit, parsePositiveInt } from '../http/parse.js';

@Controller('v1/audit')
@Roles('auditor', 'risk', 'admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /**
   * Events in chain order. `subject` matches exactly and includes the subject's versions (`model:x` → `model:x@3`).
   * `format=jsonl` (or `Accept: application/x-ndjson`) streams the whole chain as JSON lines for offline verification.
   */
  @Get()
  async list(
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('accept') accept?: string,
    @Query('format') format?: string,
    @Query('subject') subject?: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ) {
    if (format === 'jsonl' || (format === undefined && accept?.includes('application/x-ndjson'))) {
      const lines = async function* (events: AsyncIterable<unknown>) {
        for await (const event of events) yield `${JSON.stringify(event)}\n`;
      };
      void reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      return reply.send(Readable.from(lines(this.audit.stream())));
    }
    const size = parseLimit(limit);
    const afterSeq = after === undefined ? undefined : parsePositiveInt(after, 'after');
    const items = await this.audit.list({ subject, afterSeq, limit: size });
    const last = items[items.length - 1];
    return { items, next: items.length === size && last ? String(last.seq) : null };
  }

  @Get('verify')
  async verify() {
    return this.audit.verify();
  }
}

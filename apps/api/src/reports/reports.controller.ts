import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { DomainError } from '@airlock/core';
import { InventoryService, inventoryCsv, inventoryHtml } from '@airlock/reports';
import type { FastifyReply } from 'fastify';
import { Roles } from '../http/auth.guard.js';

type Format = 'json' | 'csv' | 'html';

/** `format` wins; else the Accept header (text/csv, text/html); else JSON. */
function formatOf(format: string | undefined, accept: string | undefined): Format {
  if (format !== undefined) {
    if (format === 'json' || format === 'csv' || format === 'html') return format;
    throw new DomainError('VALIDATION_FAILED', 'unknown report format', { errors: [{ field: 'format', message: 'must be json, csv or html' }] });
  }
  if (accept?.includes('text/csv')) return 'csv';
  if (accept?.includes('text/html')) return 'html';
  return 'json';
}

/** Reports for auditors and regulators (docs/reports.md). Read-only; every authenticated role but quant's may read. */
@Controller('v1/reports')
@Roles('auditor', 'risk', 'admin')
export class ReportsController {
  constructor(private readonly inventory: InventoryService) {}

  /** Every model version in production, its owner, tier, last and next validation, open findings. */
  @Get('inventory')
  async inventoryReport(@Res({ passthrough: true }) reply: FastifyReply, @Headers('accept') accept?: string, @Query('format') format?: string) {
    const kind = formatOf(format, accept);
    const inventory = await this.inventory.inventory();
    if (kind === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="airlock-inventory.csv"');
      return inventoryCsv(inventory);
    }
    if (kind === 'html') {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return inventoryHtml(inventory);
    }
    return inventory;
  }
}

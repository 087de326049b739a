import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { DomainError } from '@airlock/core';
import { InventoryService, LifecycleReportService, inventoryCsv, inventoryHtml, lifecycleReportHtml, renderPdf } from '@airlock/reports';
import type { FastifyReply } from 'fastify';
import { Roles } from '../http/auth.guard.js';
import { parsePositiveInt } from '../http/parse.js';

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

/**
 * The lifecycle report of one version (docs/reports.md): JSON by default, HTML by `format=html` or
 * `Accept: text/html`, PDF by `format=pdf` or `Accept: application/pdf` — the same HTML printed to A4 by headless
 * Chromium (`renderPdf`); a missing Chromium is 503 `RENDERER_UNAVAILABLE`.
 */
@Controller('v1/models')
@Roles('quant', 'risk', 'admin', 'auditor')
export class VersionReportController {
  constructor(private readonly reports: LifecycleReportService) {}

  @Get(':name/versions/:version/report')
  async report(
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('name') name: string,
    @Param('version') version: string,
    @Headers('accept') accept?: string,
    @Query('format') format?: string,
  ) {
    const pdf = format === 'pdf' || (format === undefined && accept?.includes('application/pdf') === true);
    const kind = pdf ? 'pdf' : formatOf(format, accept);
    if (kind === 'csv') throw new DomainError('VALIDATION_FAILED', 'a lifecycle report has no CSV form', { errors: [{ field: 'format', message: 'must be json, html or pdf' }] });
    const report = await this.reports.report(name, parsePositiveInt(version, 'version'));
    if (kind === 'pdf') {
      const bytes = await renderPdf(lifecycleReportHtml(report));
      void reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${report.identity.model}-${report.identity.version}-report.pdf"`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (kind === 'html') {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return lifecycleReportHtml(report);
    }
    return report;
  }
}

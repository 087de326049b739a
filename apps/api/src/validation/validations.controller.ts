import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import type { Principal } from '@airlock/core';
import { ValidationService, renderValidationHtml } from '@airlock/validation';
import { ArtifactStoreReader } from './artifact-store.reader.js';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { parseBody, parsePositiveInt } from '../http/parse.js';

/** `suite`: a shipped suite by name; `suiteDefinition`: a whole suite document (the registry checks it). */
const requestBody = z
  .strictObject({ suite: z.string().min(1).max(100).optional(), suiteDefinition: z.record(z.string(), z.unknown()).optional() })
  .refine((b) => !(b.suite && b.suiteDefinition), { message: 'send suite or suiteDefinition, not both', path: ['suiteDefinition'] });

@Controller()
export class ValidationsController {
  constructor(
    private readonly validation: ValidationService,
    private readonly evidence: ArtifactStoreReader,
  ) {}

  /** Queues a validation run of the version (the model tier's default suite unless `suite` names another). */
  @Post('v1/models/:name/versions/:version/validations')
  @HttpCode(202)
  @Roles('quant', 'admin')
  async request(@CurrentPrincipal() actor: Principal, @Param('name') name: string, @Param('version') version: string, @Body() body: unknown) {
    const { suite, suiteDefinition } = parseBody(requestBody, body ?? {});
    const run = await this.validation.request(actor, name, parsePositiveInt(version, 'version'), suiteDefinition ? { definition: suiteDefinition } : suite);
    return { id: run.id, phase: run.phase, progress: run.progress, suite: run.suite };
  }

  @Get('v1/validations/:id')
  get(@Param('id') id: string) {
    return this.validation.get(id);
  }

  /** The full result (every episode of every shard, the suite, the gates), verified against its sha256. */
  @Get('v1/validations/:id/evidence')
  async evidenceJson(@Param('id') id: string) {
    const run = await this.validation.get(id);
    return this.evidence.json(run.evidenceSha256, `validation ${id} has no evidence yet (phase ${run.phase})`);
  }

  /** The evidence summary with charts, as HTML. */
  @Get('v1/validations/:id/report')
  @Header('content-type', 'text/html; charset=utf-8')
  async report(@Param('id') id: string) {
    const run = await this.validation.get(id);
    const evidence = run.evidenceSha256 ? ((await this.evidence.json(run.evidenceSha256, '')) as { report?: { isDiffSample?: number[] } }) : null;
    return renderValidationHtml(run, evidence?.report?.isDiffSample ?? []);
  }
}

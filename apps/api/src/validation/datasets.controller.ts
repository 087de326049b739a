import { Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { join } from 'node:path';
import { DomainError, type Principal } from '@airlock/core';
import type { Dataset } from '@airlock/persistence';
import { DatasetService } from '@airlock/validation';
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/api-config.js';
import { CurrentPrincipal, Roles } from '../http/auth.guard.js';
import { spoolMultipart } from '../http/multipart-spool.js';
import { API_CONFIG } from '../tokens.js';

const present = (d: Dataset) => ({ ...d, createdAt: d.createdAt.toISOString() });

@Controller('v1/datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * Registers a LOBSTER dataset: multipart with `file` (the archive) and `name`, or JSON
   * `{ "name", "uri": "sha256:<hex>" }` for bytes already in the artifact store.
   */
  @Post()
  @HttpCode(201)
  @Roles('quant', 'admin')
  async register(@CurrentPrincipal() actor: Principal, @Req() request: FastifyRequest) {
    if (!request.isMultipart()) {
      const body = (request.body ?? {}) as { name?: unknown; uri?: unknown };
      const match = typeof body.uri === 'string' ? /^sha256:([0-9a-f]{64})$/.exec(body.uri) : null;
      if (typeof body.name !== 'string' || !match) {
        throw new DomainError('VALIDATION_FAILED', 'send multipart (file, name) or JSON { name, uri: "sha256:<hex>" }', {
          errors: [
            ...(typeof body.name === 'string' ? [] : [{ field: 'name', message: 'required' }]),
            ...(match ? [] : [{ field: 'uri', message: 'sha256:<64 hex> of bytes in the artifact store' }]),
          ],
        });
      }
      return present(await this.datasets.registerStored(actor, body.name, match[1] as string));
    }
    const upload = await spoolMultipart(request, {
      spoolDir: join(this.config.dataDir, 'uploads'),
      fileField: 'file',
      textFields: ['name'],
      maxBytes: this.config.maxArtifactBytes,
      extension: '.zip',
    });
    try {
      const name = upload.fields.name;
      if (!upload.file || !name) {
        throw new DomainError('VALIDATION_FAILED', 'missing parts', {
          errors: [...(upload.file ? [] : [{ field: 'file', message: 'the LOBSTER archive is required' }]), ...(name ? [] : [{ field: 'name', message: 'required' }])],
        });
      }
      return present(await this.datasets.register(actor, name, upload.file));
    } finally {
      await upload.dispose();
    }
  }

  @Get()
  async list() {
    return { items: (await this.datasets.list()).map(present) };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return present(await this.datasets.get(id));
  }
}
